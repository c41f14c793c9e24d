package io.trtfleet.store;

import io.trtfleet.store.Manifest.FileEntry;
import java.io.IOException;
import java.util.List;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Step 2 of a publish, under the key's commit lock: move staged files to their final paths (a rename on
 * HDFS and local files, a server-side copy on S3), verify each there, then commit by writing the
 * manifest last. Until the manifest exists, nothing in the build folder is trusted by any reader.
 */
final class Promotion {

  private final FileSystem fs;
  private final StoreLayout layout;
  private final ArtifactStore.Observer observer;
  private final CommitLock lock;

  Promotion(FileSystem fs, StoreLayout layout, ArtifactStore.Observer observer, CommitLock lock) {
    this.fs = fs;
    this.layout = layout;
    this.observer = observer;
    this.lock = lock;
  }

  void promote(TargetKey key, Path staging, List<FileEntry> staged, Manifest manifest) throws IOException {
    Path target = layout.target(key);
    for (FileEntry f : staged) {
      Path src = new Path(staging, f.path());
      Path dst = new Path(target, f.path());
      // Leftovers of a publisher that died before its manifest: no manifest lists them, we hold the lock.
      if (fs.exists(dst)) {
        fs.delete(dst, true);
      }
      fs.mkdirs(dst.getParent());
      if (!fs.rename(src, dst)) {
        throw new IOException("could not move " + src + " to " + dst);
      }
      StoreFiles.verify(fs, dst, f);
      lock.heartbeat();  // also stops here if a publisher broke our lock as stale
      observer.step("moved " + f.path());
    }
    lock.refresh();  // a lock broken as stale meanwhile must stop the commit
    observer.step("before-manifest");
    commitManifest(key, staging, ManifestJson.write(manifest));
    observer.step("committed");
  }

  /**
   * The commit point: the manifest appears whole and only if none is there yet (a single conditional
   * PUT on S3; written in staging, then linked or renamed into place on file systems).
   */
  private void commitManifest(TargetKey key, Path staging, byte[] json) throws IOException {
    Path manifest = layout.manifest(key);
    try {
      StoreFiles.createComplete(fs, manifest, new Path(staging, StoreLayout.MANIFEST), json);
    } catch (IOException e) {
      if (StoreFiles.isAlreadyExists(e) && !(e instanceof FileAlreadyExistsException)) {
        FileAlreadyExistsException conflict = new FileAlreadyExistsException(manifest + " was committed by another publisher");
        conflict.initCause(e);
        throw conflict;
      }
      throw e;
    }
  }
}
