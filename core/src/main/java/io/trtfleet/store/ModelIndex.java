package io.trtfleet.store;

import io.trtfleet.Messages;
import io.trtfleet.store.StoreFiles.Snapshot;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.PathIsDirectoryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model's index: a cache of its parsed manifests, checked against a listing of the manifest files on
 * every read, so a listing always equals a rescan. A manifest the cache lacks (a crash between commit
 * and index update, a lost race) or holds with another size or modification time is read again; a
 * cached one that is gone is dropped. The cache only saves reading every manifest.
 *
 * <p>Updates are compare-and-swap, as Iceberg commits table metadata: the index is a series of
 * versions {@code _index/v<n>.json}, and a writer that read version n creates n+1 only if it does not
 * exist (conditional PUT on S3, create-new plus link or rename on file systems), else it rereads and
 * retries with backoff. Old versions are deleted, keeping the last {@link #KEEP}.
 */
final class ModelIndex {

  private static final Logger LOG = LoggerFactory.getLogger(ModelIndex.class);
  static final int ATTEMPTS = 16;
  static final int KEEP = 3;
  static final int SCHEMA = 2;

  /** A manifest as the index caches it: the file's size and modification time, then what it says. */
  record Cached(long size, long modified, IndexEntry entry) {}

  /** One index version's JSON. */
  record IndexDocument(int schema, String model, long version, String updated, List<Cached> manifests) {}

  /** Every readable manifest of a model (sorted by path) and the unreadable ones. */
  record Scan(List<Cached> manifests, List<Listing.Damaged> damaged) {

    List<IndexEntry> entries() {
      return manifests.stream().map(Cached::entry).toList();
    }
  }

  /** The newest version: its number (0 when there is none) and document (empty when none or unreadable). */
  private record Latest(long version, Optional<IndexDocument> doc) {}

  private final FileSystem fs;
  private final StoreLayout layout;

  ModelIndex(FileSystem fs, StoreLayout layout) {
    this.fs = fs;
    this.layout = layout;
  }

  /** The model's manifests, read through the cache. */
  Scan scan(String model) throws IOException {
    return scan(model, latest(model).doc());
  }

  /** The model's manifests, every one read from the store (what {@code ls --rescan} shows). */
  Scan rescan(String model) throws IOException {
    return scan(model, Optional.empty());
  }

  /**
   * Brings the index up to date with the manifests (after a commit, or to repair it); {@code useCache}
   * false rereads every manifest. Returns the scan it wrote, or throws after {@link #ATTEMPTS} lost races.
   */
  Scan update(String model, boolean useCache) throws IOException {
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      Latest latest = latest(model);
      Scan scan = scan(model, useCache ? latest.doc() : Optional.empty());
      if (latest.doc().map(d -> d.manifests().equals(scan.manifests())).orElse(scan.manifests().isEmpty())) {
        return scan;  // already what the manifests say (or nothing to index)
      }
      long next = latest.version() + 1;
      byte[] doc = ManifestJson.write(new IndexDocument(SCHEMA, model, next, Instant.now().toString(),
          scan.manifests()));
      if (create(model, next, doc)) {
        prune(model, next);
        return scan;
      }
      LOG.debug("index of {} moved past version {} while updating it (attempt {}), retrying", model, next, attempt);
      backoff(attempt);
    }
    throw new IOException("the index of " + model + " kept changing during " + ATTEMPTS + " attempts");
  }

  /** Creates version {@code v} unless it exists; false when another writer got there first. */
  private boolean create(String model, long v, byte[] doc) throws IOException {
    Path path = layout.indexVersion(model, v);
    if (fs.exists(path)) {
      return false;  // a failed conditional PUT makes S3A log a page of WARN: look first
    }
    Path tmp = new Path(layout.stagingRoot(), "index-" + UUID.randomUUID() + ".tmp");
    try {
      StoreFiles.createComplete(fs, path, tmp, doc);
    } catch (IOException e) {
      if (StoreFiles.isAlreadyExists(e)) {
        return false;
      }
      throw e;
    }
    // A writer that read an old version long ago could recreate a pruned number below the newest:
    // that version is not the index, so count it as a lost race.
    if (latestNumber(model) != v) {
      fs.delete(path, false);
      return false;
    }
    return true;
  }

  private void prune(String model, long newest) {
    try {
      for (FileStatus st : fs.listStatus(layout.indexDir(model))) {
        long v = StoreLayout.indexVersion(st.getPath().getName());
        if (v >= 0 && v <= newest - KEEP) {
          fs.delete(st.getPath(), false);
        }
      }
    } catch (IOException e) {
      LOG.debug("could not prune old versions of the index of {}: {}", model, e.toString());  // harmless leftovers
    }
  }

  private long latestNumber(String model) throws IOException {
    long max = 0;
    try {
      for (FileStatus st : fs.listStatus(layout.indexDir(model))) {
        max = Math.max(max, StoreLayout.indexVersion(st.getPath().getName()));
      }
    } catch (FileNotFoundException e) {
      return 0;
    }
    return max;
  }

  private Latest latest(String model) throws IOException {
    for (int attempt = 0; ; attempt++) {
      long v = latestNumber(model);
      if (v == 0) {
        return new Latest(0, Optional.empty());
      }
      Optional<Snapshot> s;
      try {
        s = StoreFiles.read(fs, layout.indexVersion(model, v));
      } catch (IOException e) {
        LOG.warn("index {} of {} is unreadable ({}); reading the manifests instead", v, model, e.toString());
        return new Latest(v, Optional.empty());
      }
      if (s.isEmpty() && attempt < 3) {
        continue;  // pruned between listing and reading: a newer one exists
      }
      return new Latest(v, s.flatMap(snap -> parse(model, v, snap)));
    }
  }

  private Optional<IndexDocument> parse(String model, long v, Snapshot s) {
    try {
      IndexDocument d = ManifestJson.read(s.bytes(), IndexDocument.class);
      if (d.schema() != SCHEMA || d.manifests() == null) {
        throw new IOException("schema " + d.schema() + ", expected " + SCHEMA);
      }
      for (Cached c : d.manifests()) {
        IndexEntry e = c.entry();
        if (e == null || StoreLayout.keyOf(String.valueOf(e.manifest())).isEmpty() || e.status() == null) {
          throw new IOException("an entry has no valid manifest path or status");
        }
        Instant.parse(String.valueOf(e.created()));
      }
      return Optional.of(d);
    } catch (IOException | java.time.format.DateTimeParseException e) {
      LOG.warn("index {} of {} is unreadable ({}); reading the manifests instead", v, model,
          Messages.firstLine(e.getMessage()));
      return Optional.empty();
    }
  }

  /**
   * Lists the model's manifest files ({@code <digest>/<backend>/<device>/<precision>/manifest.json}, one
   * recursive listing: a flat LIST on S3) and takes each from the cache when its size and modification
   * time match, else reads it.
   */
  private Scan scan(String model, Optional<IndexDocument> cache) throws IOException {
    Map<String, Cached> cached = new LinkedHashMap<>();
    cache.ifPresent(d -> d.manifests().forEach(c -> cached.put(c.entry().manifest(), c)));
    Path dir = layout.modelDir(model);
    String prefix = dir.toUri().getPath() + "/";
    List<Cached> manifests = new ArrayList<>();
    List<Listing.Damaged> damaged = new ArrayList<>();
    List<FileStatus> files;
    try {
      files = StoreFiles.listFiles(fs, dir);
    } catch (FileNotFoundException e) {
      return new Scan(List.of(), List.of());
    }
    for (FileStatus st : files) {
      String full = st.getPath().toUri().getPath();
      if (!st.getPath().getName().equals(StoreLayout.MANIFEST) || !full.startsWith(prefix)) {
        continue;
      }
      String rel = model + "/" + full.substring(prefix.length());
      if (rel.split("/").length != 6 || rel.contains("/_") || rel.contains("/.")) {
        continue;  // a file named manifest.json inside a build (engines/...), or a hidden folder
      }
      Cached c = cached.get(rel);
      if (c != null && c.size() == st.getLen() && c.modified() == st.getModificationTime()) {
        manifests.add(c);
        continue;
      }
      read(rel, st, manifests, damaged);
    }
    manifests.sort(Comparator.comparing(m -> m.entry().manifest()));
    damaged.sort(Comparator.comparing(Listing.Damaged::manifest));
    return new Scan(manifests, damaged);
  }

  /** Reads one manifest file into {@code manifests}, or what is wrong with it into {@code damaged}. */
  private void read(String rel, FileStatus st, List<Cached> manifests, List<Listing.Damaged> damaged)
      throws IOException {
    Optional<Snapshot> s;
    try {
      s = StoreFiles.read(fs, st.getPath());
    } catch (ChecksumException | PathIsDirectoryException e) {
      damaged.add(new Listing.Damaged(rel, "unreadable manifest (" + e.getClass().getSimpleName() + ")"));
      return;
    }
    if (s.isEmpty()) {
      return;  // deleted between listing and reading
    }
    Manifest m;
    try {
      m = ManifestJson.manifest(s.get().bytes());
    } catch (IOException e) {
      damaged.add(new Listing.Damaged(rel, "unreadable manifest (" + Messages.firstLine(e.getMessage()) + ")"));
      return;
    }
    if (!layout.manifestRelative(m.key()).equals(rel)) {
      damaged.add(new Listing.Damaged(rel, "the manifest describes " + m.key() + ", not the folder it is in"));
      return;
    }
    manifests.add(new Cached(st.getLen(), st.getModificationTime(), IndexEntry.of(m, rel)));
  }

  private static void backoff(int attempt) throws IOException {
    long cap = Math.min(1000, 10L << Math.min(attempt, 7));
    try {
      Thread.sleep(cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while updating the index");
    }
  }
}
