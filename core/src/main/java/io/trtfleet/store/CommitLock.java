package io.trtfleet.store;

import io.trtfleet.store.StoreFiles.Snapshot;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The right to move files into one key's build folder and write its manifest. Final paths are shared by
 * everyone publishing that key, and builds are not byte-identical (TensorRT picks tactics by timing),
 * so only the lock holder may write there. The lock is a create-if-absent object under _staging/locks/;
 * the holder writes its publish id into it and reads it back, so a lost race is noticed.
 */
final class CommitLock {

  /** The lock's JSON: who holds it, for which key, since when, and when it last said it is alive. */
  record Holder(String owner, String key, String since, String heartbeat) {
    Duration silence() {
      return Duration.between(Instant.parse(heartbeat), Instant.now());
    }
  }

  private final FileSystem fs;
  private final Path path;
  private final String owner;

  CommitLock(FileSystem fs, Path path, String owner) {
    this.fs = fs;
    this.path = path;
    this.owner = owner;
  }

  /** True when this publisher now holds the lock; false when someone else does. */
  boolean tryAcquire(TargetKey key) throws IOException {
    try {
      String now = Instant.now().toString();
      StoreFiles.writeNew(fs, path, ManifestJson.write(new Holder(owner, key.toString(), now, now)));
    } catch (IOException e) {
      if (StoreFiles.isAlreadyExists(e)) {
        return false;
      }
      throw e;
    }
    // Where create-if-absent is check-then-write (local files, S3 stores without If-None-Match), two
    // writers can both succeed; the later write wins and the read-back tells the earlier one it lost.
    return holder().map(h -> h.owner().equals(owner)).orElse(false);
  }

  /**
   * Who holds the lock. A lock whose content cannot be read counts as held by someone else, with its
   * modification time as the heartbeat: one caught mid-rewrite (a local file being refreshed reads
   * empty) is recent and so alive, while one left empty by a publisher that died between creating and
   * writing it goes stale like any silent holder instead of blocking its key forever.
   */
  Optional<Holder> holder() throws IOException {
    Optional<Snapshot> s;
    try {
      s = StoreFiles.read(fs, path);
    } catch (ChecksumException e) {
      s = Optional.of(new Snapshot(new byte[0], "", null));  // read mid-rewrite: parsed below as unreadable
    } catch (IOException e) {
      if (!StoreFiles.causedBy(e, "RemoteFileChangedException")) {
        throw e;
      }
      // S3A saw the lock object change between its HEAD and GET (the holder's heartbeat): mid-rewrite too.
      s = Optional.of(new Snapshot(new byte[0], "", null));
    }
    if (s.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(ManifestJson.read(s.get().bytes(), Holder.class));
    } catch (IOException e) {
      try {
        String modified = Instant.ofEpochMilli(fs.getFileStatus(path).getModificationTime()).toString();
        return Optional.of(new Holder("unreadable", "unknown", modified, modified));
      } catch (FileNotFoundException gone) {
        return Optional.empty(); // released while we looked
      }
    }
  }

  /**
   * The holder's heartbeat, called after each file it moves: a lock whose holder stays silent for the
   * stale period is taken to be abandoned (a killed executor) and may be broken by the next publisher.
   */
  void refresh() throws IOException {
    Optional<Holder> h = holder();
    if (h.isEmpty() || !h.get().owner().equals(owner)) {
      throw new IOException("lost the commit lock " + path + " (now " + h.map(Holder::owner).orElse("free")
          + "): another publisher took it as stale; not committing");
    }
    StoreFiles.replaceSmall(fs, path,
        ManifestJson.write(new Holder(owner, h.get().key(), h.get().since(), Instant.now().toString())));
  }

  /** Deletes an abandoned lock, unless it changed since {@code seen} was read (its holder came back). */
  void breakStale(Holder seen) throws IOException {
    if (holder().map(seen::equals).orElse(false)) {
      fs.delete(path, false);
    }
  }

  /** Deletes the lock if this publisher still holds it. */
  void release() throws IOException {
    if (holder().map(h -> h.owner().equals(owner)).orElse(false)) {
      fs.delete(path, false);
    }
  }

  Path path() {
    return path;
  }
}
