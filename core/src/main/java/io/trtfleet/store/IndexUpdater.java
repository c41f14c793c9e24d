package io.trtfleet.store;

import io.trtfleet.store.StoreFiles.Snapshot;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code <root>/<model>/index.json} in step with the manifests. The index is a cache: manifests
 * are the truth, and a missing, unreadable or stale index is rebuilt by scanning them. Updates are
 * optimistic: read (bytes + sha256 + etag), merge, re-read and compare the sha256, then write (on S3A
 * the PUT carries If-Match: etag, so the store itself rejects a lost race); retried a few times.
 */
final class IndexUpdater {

  private static final Logger LOG = LoggerFactory.getLogger(IndexUpdater.class);
  static final int ATTEMPTS = 8;

  /** The index file's JSON. */
  record IndexDocument(int schema, String model, String updated, List<IndexEntry> entries) {}

  private final FileSystem fs;
  private final StoreLayout layout;

  IndexUpdater(FileSystem fs, StoreLayout layout) {
    this.fs = fs;
    this.layout = layout;
  }

  /** Puts {@code m} into its model's index unless a better entry already fills its slot. */
  void add(Manifest m) throws IOException {
    IndexEntry entry = IndexEntry.of(m, layout.manifestRelative(m.key()));
    update(m.model(), entries -> merge(entries, List.of(entry)));
  }

  /** Replaces a model's index with what its manifests say. */
  List<IndexEntry> rebuild(String model) throws IOException {
    return update(model, ignored -> scan(model));
  }

  /** The optimistic read-change-check-write loop; returns the entries now in the index. */
  private List<IndexEntry> update(String model, UnaryOperator<List<IndexEntry>> change) throws IOException {
    Path index = layout.index(model);
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      Optional<Snapshot> before = snapshot(index);
      List<IndexEntry> entries = before.flatMap(this::parse).orElseGet(() -> scan(model));
      List<IndexEntry> merged = change.apply(entries);
      if (before.isPresent() && parse(before.get()).map(merged::equals).orElse(false)) {
        return merged;  // already there (an idempotent republish)
      }
      if (before.isEmpty() && merged.isEmpty()) {
        return merged;  // no builds, no index: do not create a model folder for nothing
      }
      byte[] doc = ManifestJson.write(new IndexDocument(1, model, Instant.now().toString(), merged));
      Optional<Snapshot> now = snapshot(index);
      if (!now.map(Snapshot::sha256).equals(before.map(Snapshot::sha256))) {
        LOG.info("index {} changed while updating it (attempt {}), retrying", index, attempt);
        backoff(attempt);
        continue;
      }
      try {
        write(index, doc, before.map(Snapshot::etag).orElse(null));
        return merged;
      } catch (IOException e) {
        if (!StoreFiles.isAlreadyExists(e)) {
          throw e;
        }
        LOG.info("index {} was replaced concurrently (attempt {}), retrying", index, attempt);
        backoff(attempt);
      }
    }
    throw new IOException("index " + index + " kept changing during " + ATTEMPTS + " attempts");
  }

  /** The index's entries, or empty when it is missing or unreadable (the caller then scans). */
  Optional<List<IndexEntry>> read(String model) throws IOException {
    return snapshot(layout.index(model)).flatMap(this::parse);
  }

  /** The index file; a damaged one (checksum error) reads as empty bytes, which parse then rejects. */
  private Optional<Snapshot> snapshot(Path index) throws IOException {
    try {
      return StoreFiles.read(fs, index);
    } catch (ChecksumException e) {
      LOG.warn("index {} is damaged ({}); rebuilding it from the manifests", index, e.getMessage());
      return Optional.of(new Snapshot(new byte[0], ContentDigest.hex(new byte[0]), null));
    }
  }

  /** Rebuilds the entries from the manifests themselves (what the index caches). */
  List<IndexEntry> scan(String model) {
    try {
      FileStatus[] found = fs.globStatus(layout.manifestGlob(model));
      List<IndexEntry> all = new ArrayList<>();
      for (FileStatus st : found == null ? new FileStatus[0] : found) {
        Optional<Snapshot> s = StoreFiles.read(fs, st.getPath());
        if (s.isEmpty()) {
          continue;  // deleted between listing and reading
        }
        Manifest m;
        try {
          m = ManifestJson.manifest(s.get().bytes());
        } catch (IOException e) {
          LOG.warn("skipping unreadable manifest {}: {}", st.getPath(), io.trtfleet.Messages.firstLine(e.getMessage()));
          continue;
        }
        all.add(IndexEntry.of(m, layout.manifestRelative(m.key())));
      }
      return merge(List.of(), all);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** One entry per slot, the best by {@link IndexEntry#supersededBy}; sorted for a stable file. */
  static List<IndexEntry> merge(List<IndexEntry> base, List<IndexEntry> added) {
    Map<String, IndexEntry> bySlot = new LinkedHashMap<>();
    for (IndexEntry e : base) {
      bySlot.merge(e.slot(), e, (a, b) -> a.supersededBy(b) ? b : a);
    }
    for (IndexEntry e : added) {
      bySlot.merge(e.slot(), e, (a, b) -> a.supersededBy(b) ? b : a);
    }
    List<IndexEntry> out = new ArrayList<>(bySlot.values());
    out.sort(Comparator.comparing(IndexEntry::deviceKey).thenComparing(IndexEntry::backend)
        .thenComparing(IndexEntry::precision));
    return out;
  }

  private Optional<List<IndexEntry>> parse(Snapshot s) {
    try {
      return Optional.of(ManifestJson.read(s.bytes(), IndexDocument.class).entries());
    } catch (IOException e) {
      LOG.warn("index is unreadable ({}); rebuilding it from the manifests", io.trtfleet.Messages.firstLine(e.getMessage()));
      return Optional.empty();
    }
  }

  private void write(Path index, byte[] doc, String etag) throws IOException {
    if (StoreFiles.objectStore(fs)) {
      // One PUT replaces the object atomically; If-Match makes it a compare-and-swap on AWS S3.
      StoreFiles.replaceObject(fs, index, doc, etag);
      return;
    }
    // File systems: write beside it, then rename into place (atomic). Rename never replaces a file, so
    // the old index is deleted first: in between, readers find no index and scan the manifests, and a
    // concurrent updater's rename fails, which it treats as a lost race.
    Path tmp = new Path(index.getParent(), "_" + StoreLayout.INDEX + "." + UUID.randomUUID() + ".tmp");
    try (var out = fs.create(tmp, false)) {
      out.write(doc);
    }
    try {
      fs.delete(index, false);
      if (!fs.rename(tmp, index)) {
        throw new org.apache.hadoop.fs.FileAlreadyExistsException(index + " was written concurrently");
      }
    } finally {
      if (fs.exists(tmp)) {
        fs.delete(tmp, false);
      }
    }
  }

  private static void backoff(int attempt) throws IOException {
    try {
      Thread.sleep(20L * attempt + (long) (Math.random() * 50));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while updating the index");
    }
  }
}
