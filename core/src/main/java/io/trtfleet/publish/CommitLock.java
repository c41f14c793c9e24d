package io.trtfleet.publish;

import io.trtfleet.publish.StoreFiles.Snapshot;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The right to move files into one key's build folder and write its manifest. Final paths are shared by
 * everyone publishing that key, and builds are not byte-identical (TensorRT picks tactics by timing),
 * so only the lock holder may write there. The lock is a create-if-absent object under _staging/locks/;
 * the holder writes its publish id into it and reads it back, so a lost race is noticed.
 */
final class CommitLock {

  /** The lock's JSON: who holds it, for which key, since when. */
  record Holder(String owner, String key, String since) {}

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
      StoreFiles.writeNew(fs, path, ManifestJson.write(new Holder(owner, key.toString(), Instant.now().toString())));
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

  Optional<Holder> holder() throws IOException {
    Optional<Snapshot> s = StoreFiles.read(fs, path);
    if (s.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(ManifestJson.read(s.get().bytes(), Holder.class));
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
