package io.trtfleet.fleet;

import io.trtfleet.FileTrees;
import io.trtfleet.Locations;
import io.trtfleet.Messages;
import io.trtfleet.TrtfleetException;
import io.trtfleet.spark.DatasetDigest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * The registry's SavedModels as local folders the importer reads: a local path or {@code file://} URI as
 * it is; a model on any other Hadoop file system ({@code s3a://}, {@code hdfs://}) copied once into
 * {@code <cache>/savedmodels/<content digest>/}, checked against the digest the plan computed, and moved
 * into place atomically, so concurrent runs share one copy and a half-copied model is never used.
 */
final class SavedModelCache {

  /** Overrides the cache folder (default {@code ~/.cache/trtfleet}). */
  static final String CACHE_PROPERTY = "trtfleet.cache";

  private final Path root;
  private final Configuration conf;

  SavedModelCache(Path root, Configuration conf) {
    this.root = root.resolve("savedmodels");
    this.conf = conf;
  }

  static Path defaultRoot() {
    String configured = System.getProperty(CACHE_PROPERTY, System.getenv("TRTFLEET_CACHE"));
    return configured != null ? Path.of(configured) : Path.of(System.getProperty("user.home"), ".cache", "trtfleet");
  }

  /** The local folder of model {@code m}, whose files hash to {@code digest} (DatasetDigest). */
  Path local(ModelSpec m, String digest) {
    String uri = m.modelUri();
    if (Locations.uri(uri).getScheme().equals("file")) {
      return Locations.localPath(uri);
    }
    Path dir = root.resolve(digest);
    if (Files.isDirectory(dir)) {
      return dir;
    }
    Path tmp = null;
    try {
      tmp = Files.createTempDirectory(Files.createDirectories(root), digest.substring(0, 12) + ".partial-");
      FileSystem fs = new org.apache.hadoop.fs.Path(uri).getFileSystem(conf);
      for (var status : fs.listStatus(new org.apache.hadoop.fs.Path(uri))) {
        fs.copyToLocalFile(false, status.getPath(), new org.apache.hadoop.fs.Path(tmp.toUri()), true);
      }
      String copied = DatasetDigest.of(tmp.toUri().toString(), conf, "SavedModel copy");
      if (!copied.equals(digest)) {
        throw new TrtfleetException("model " + m.name() + ": the copy of " + uri + " hashes to " + copied.substring(0, 12)
            + ", not " + digest.substring(0, 12) + ": it changed while the run read it; run again");
      }
      try {
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
        // another run put the same content in place first: use theirs
        if (!Files.isDirectory(dir)) {
          throw new UncheckedIOException("cannot move the SavedModel copy into " + dir, e);
        }
      }
      return dir;
    } catch (IOException e) {
      throw new TrtfleetException("model " + m.name() + ": cannot copy " + uri + " to " + root + " ("
          + Messages.firstLine(e.getMessage()) + "): check the URI and the store's credentials", e);
    } finally {
      if (tmp != null && Files.exists(tmp)) {
        deleteTree(tmp);
      }
    }
  }

  private static void deleteTree(Path dir) {
    try {
      FileTrees.deleteTree(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the partial copy " + dir, e);
    }
  }
}
