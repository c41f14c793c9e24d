package io.trtfleet.store;

import io.trtfleet.FileTrees;
import io.trtfleet.TrtfleetException;
import io.trtfleet.store.Manifest.FileEntry;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A build copied out of the store for a consumer, checked while copying: each file's bytes are hashed on
 * the way and compared with the manifest, into a hidden folder beside the destination that is moved into
 * place only when every file matched. A consumer never sees a partial or damaged build.
 */
final class Download {

  private Download() {}

  /** Copies the build; returns the first problem found (and leaves nothing), or empty when all matched. */
  static Optional<String> copy(FileSystem fs, Path target, Manifest m, byte[] manifestJson, java.nio.file.Path dest)
      throws IOException {
    java.nio.file.Path dir = dest.toAbsolutePath().normalize();
    if (Files.exists(dir) && !isEmptyDirectory(dir)) {
      throw new TrtfleetException("download destination " + dest + " exists and is not an empty folder: pick a new one");
    }
    Files.createDirectories(dir.getParent());
    java.nio.file.Path tmp = dir.resolveSibling("." + dir.getFileName() + ".download-" + UUID.randomUUID());
    try {
      for (FileEntry f : m.files()) {
        java.nio.file.Path local = tmp.resolve(f.path()).normalize();
        if (!local.startsWith(tmp)) {
          throw new IOException("manifest path " + f.path() + " leaves the build folder");  // checked on parse too
        }
        Files.createDirectories(local.getParent());
        Optional<String> problem = copyOne(fs, new Path(target, f.path()), local, f);
        if (problem.isPresent()) {
          return problem;
        }
      }
      Files.write(tmp.resolve(StoreLayout.MANIFEST), manifestJson);
      Files.deleteIfExists(dir);
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      return Optional.empty();
    } finally {
      FileTrees.deleteTree(tmp);
    }
  }

  private static Optional<String> copyOne(FileSystem fs, Path src, java.nio.file.Path local, FileEntry f)
      throws IOException {
    MessageDigest sha = ContentDigest.sha256();
    long n = 0;
    byte[] buf = new byte[1 << 16];
    try (InputStream in = fs.open(src); OutputStream out = Files.newOutputStream(local)) {
      for (int r; (r = in.read(buf)) > 0; ) {
        sha.update(buf, 0, r);
        out.write(buf, 0, r);
        n += r;
        if (n > f.size()) {
          break;  // longer than listed: no need to copy the rest
        }
      }
    } catch (FileNotFoundException e) {
      return Optional.of("file " + f.path() + " is missing");
    } catch (org.apache.hadoop.fs.ChecksumException e) {
      return Optional.of("file " + f.path() + " fails the file system's checksum");
    }
    if (n != f.size()) {
      return Optional.of("file " + f.path() + " has " + (n > f.size() ? "more than " + f.size() : n)
          + " bytes, the manifest lists " + f.size());
    }
    String actual = HexFormat.of().formatHex(sha.digest());
    return actual.equals(f.sha256()) ? Optional.empty() : Optional.of(StoreFiles.shaMismatch(f, actual));
  }

  private static boolean isEmptyDirectory(java.nio.file.Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<java.nio.file.Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }
}
