package io.trtfleet.store;

import io.trtfleet.store.Manifest.FileEntry;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FSDataOutputStreamBuilder;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.PathIsDirectoryException;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.ipc.RemoteException;

/** Byte-level store I/O through Hadoop's FileSystem: hashed uploads, read-back verification, small documents. */
final class StoreFiles {

  /** S3A builder option (Hadoop 3.4.2): PUT with If-None-Match: *, checked by the store in close(). */
  static final String CONDITIONAL_CREATE = "fs.option.create.conditional.overwrite";

  private StoreFiles() {}

  /** Streams a local file to {@code dest}, hashing on the way; returns what was sent. */
  static FileEntry upload(FileSystem fs, java.nio.file.Path local, Path dest, String rel) throws IOException {
    MessageDigest sha = ContentDigest.sha256();
    long n = 0;
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(local); FSDataOutputStream out = fs.create(dest, true)) {
      for (int r; (r = in.read(buf)) > 0; ) {
        sha.update(buf, 0, r);
        out.write(buf, 0, r);
        n += r;
      }
    }
    return new FileEntry(rel, HexFormat.of().formatHex(sha.digest()), n);
  }

  /** Reads {@code p} back and fails unless its size and sha256 are the expected ones. */
  static void verify(FileSystem fs, Path p, FileEntry expected) throws IOException {
    Optional<String> problem = problem(fs, p, expected);
    if (problem.isPresent()) {
      throw new IOException(p + ": " + problem.get());
    }
  }

  /**
   * What is wrong with a stored file compared with its manifest entry ("file X sha256 mismatch (...)"),
   * or empty when it has the listed size and sha256. Only definite findings are problems: a failing
   * read (network, permissions) is an IOException, so a damaged build is never confused with an outage.
   */
  static Optional<String> problem(FileSystem fs, Path p, FileEntry expected) throws IOException {
    String file = "file " + expected.path();
    FileStatus st;
    try {
      st = fs.getFileStatus(p);
    } catch (FileNotFoundException e) {
      return Optional.of(file + " is missing");
    }
    if (st.isDirectory()) {
      return Optional.of(file + " is a folder");
    }
    if (st.getLen() != expected.size()) {
      return Optional.of(file + " has " + st.getLen() + " bytes, the manifest lists " + expected.size());
    }
    String actual;
    try {
      actual = sha256(fs, p);
    } catch (ChecksumException e) {
      return Optional.of(file + " fails the file system's checksum");
    } catch (FileNotFoundException e) {
      return Optional.of(file + " is missing");
    }
    return actual.equals(expected.sha256()) ? Optional.empty() : Optional.of(shaMismatch(expected, actual));
  }

  /** "file X sha256 mismatch (manifest 0123456789abcdef…, stored fedcba9876543210…)". */
  static String shaMismatch(FileEntry expected, String actual) {
    return "file " + expected.path() + " sha256 mismatch (manifest " + shortHex(expected.sha256()) + ", stored "
        + shortHex(actual) + ")";
  }

  private static String shortHex(String hex) {
    return hex.length() > 16 ? hex.substring(0, 16) + "…" : hex;
  }

  static String sha256(FileSystem fs, Path p) throws IOException {
    MessageDigest sha = ContentDigest.sha256();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = fs.open(p)) {
      for (int r; (r = in.read(buf)) > 0; ) {
        sha.update(buf, 0, r);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /** A small document: its bytes, their sha256 and the file's modification time. */
  record Snapshot(byte[] bytes, String sha256, long modified) {}

  /** The file at {@code p}, or empty when there is none; a folder there is a PathIsDirectoryException. */
  static Optional<Snapshot> read(FileSystem fs, Path p) throws IOException {
    try {
      FileStatus st = fs.getFileStatus(p);
      if (st.isDirectory()) {
        throw new PathIsDirectoryException(p.toString());
      }
      byte[] bytes;
      try (InputStream in = fs.open(p)) {
        bytes = in.readAllBytes();
      }
      return Optional.of(new Snapshot(bytes, ContentDigest.hex(bytes), st.getModificationTime()));
    } catch (FileNotFoundException e) {
      return Optional.empty();  // absent is an answer here, not an error
    }
  }

  /**
   * Creates {@code p} only if nothing is there. HDFS checks atomically in the NameNode; S3A sends
   * If-None-Match: * (atomic on AWS S3); local files use the OS's create-new (Hadoop's local create
   * checks, then truncates).
   */
  static void writeNew(FileSystem fs, Path p, byte[] bytes) throws IOException {
    if (fs instanceof LocalFileSystem local) {
      java.nio.file.Path f = local.pathToFile(p).toPath();
      Files.createDirectories(f.getParent());
      try {
        Files.write(f, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        throw new FileAlreadyExistsException(p + " already exists");
      }
      return;
    }
    FSDataOutputStreamBuilder<?, ?> b = fs.createFile(p).overwrite(false).recursive();
    b.opt(CONDITIONAL_CREATE, true);
    try (OutputStream out = b.build()) {
      out.write(bytes);
    }
  }

  /**
   * Replaces a small document so that readers see the old or the new bytes, never a mix: one PUT on
   * object stores, write-beside and atomic rename for local files, overwrite elsewhere.
   */
  static void replaceSmall(FileSystem fs, Path p, byte[] bytes) throws IOException {
    if (fs instanceof LocalFileSystem local) {
      java.nio.file.Path f = local.pathToFile(p).toPath();
      java.nio.file.Path tmp = f.resolveSibling("_" + f.getFileName() + "." + java.util.UUID.randomUUID() + ".tmp");
      Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return;
    }
    try (OutputStream out = fs.create(p, true)) {
      out.write(bytes);
    }
  }

  /**
   * File systems: writes {@code bytes} to {@code tmp}, then makes it appear at {@code dest} whole and
   * only if nothing is there: a hard link for local files (no checksum file to lag behind), rename
   * elsewhere (HDFS renames atomically and never over an existing file).
   */
  static void linkNew(FileSystem fs, Path tmp, Path dest, byte[] bytes) throws IOException {
    if (fs instanceof LocalFileSystem local) {
      java.nio.file.Path t = local.pathToFile(tmp).toPath();
      java.nio.file.Path d = local.pathToFile(dest).toPath();
      Files.createDirectories(t.getParent());
      Files.createDirectories(d.getParent());
      Files.write(t, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      try {
        Files.createLink(d, t);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        throw new FileAlreadyExistsException(dest + " already exists");
      } finally {
        Files.delete(t);
      }
      return;
    }
    try (OutputStream out = fs.create(tmp, false)) {
      out.write(bytes);
    }
    try {
      fs.mkdirs(dest.getParent());
      if (!fs.rename(tmp, dest)) {
        if (fs.exists(dest)) {
          throw new FileAlreadyExistsException(dest + " already exists");
        }
        throw new IOException("could not rename " + tmp + " to " + dest);
      }
    } finally {
      if (fs.exists(tmp)) {
        fs.delete(tmp, false);
      }
    }
  }

  /**
   * Makes {@code dest} appear whole and only if nothing is there (FileAlreadyExistsException otherwise):
   * one conditional PUT on object stores; elsewhere written to {@code tmp} first, then linked (local
   * files) or renamed (HDFS) into place, because a file system shows a file while it is being written.
   */
  static void createComplete(FileSystem fs, Path dest, Path tmp, byte[] bytes) throws IOException {
    if (objectStore(fs)) {
      writeNew(fs, dest, bytes);
    } else {
      linkNew(fs, tmp, dest, bytes);
    }
  }

  /**
   * Newest modification time of the files under {@code st} (itself for a file). Object stores have no
   * folders, so S3A makes up a folder's time: only the files' times count, the folder's only when empty.
   */
  static long newest(FileSystem fs, FileStatus st) throws IOException {
    if (!st.isDirectory()) {
      return st.getModificationTime();
    }
    long t = Long.MIN_VALUE;
    for (FileStatus f : listFiles(fs, st.getPath())) {
      t = Math.max(t, f.getModificationTime());
    }
    return t == Long.MIN_VALUE ? st.getModificationTime() : t;
  }

  /**
   * Every file under {@code dir} (path, length, modification time), or FileNotFoundException. One flat
   * LIST on S3. Local folders are walked with java.nio: Hadoop's local listFiles forks an {@code ls}
   * per file to read its permissions, which made a listing of a few hundred files take seconds.
   */
  static List<FileStatus> listFiles(FileSystem fs, Path dir) throws IOException {
    List<FileStatus> out = new ArrayList<>();
    if (fs instanceof LocalFileSystem local) {
      java.nio.file.Path root = local.pathToFile(dir).toPath();
      if (!Files.exists(root)) {
        throw new FileNotFoundException(dir + " does not exist");
      }
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(java.nio.file.Path f, BasicFileAttributes a) {
          String name = f.getFileName().toString();
          if (a.isRegularFile() && !(name.startsWith(".") && name.endsWith(".crc"))) {
            Path p = new Path(dir, root.relativize(f).toString().replace('\\', '/'));
            out.add(new FileStatus(a.size(), false, 1, 0, a.lastModifiedTime().toMillis(), p));
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(java.nio.file.Path f, IOException e) throws IOException {
          if (e instanceof java.nio.file.NoSuchFileException) {
            return FileVisitResult.CONTINUE;  // deleted while we walked (a pruned index version)
          }
          throw e;
        }
      });
      return out;
    }
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, true);
    while (it.hasNext()) {
      out.add(it.next());
    }
    return out;
  }

  /** Object stores (rename is a copy, a single PUT is atomic) versus file systems (rename is atomic). */
  static boolean objectStore(FileSystem fs) {
    String s = fs.getScheme();
    return s.equals("s3a") || s.equals("gs") || s.equals("oss") || s.equals("cos");
  }

  /**
   * Whether a write failed because the object exists (or changed) already: Hadoop's exception; HDFS's
   * answer while another writer still has the same new file open (AlreadyBeingCreatedException, which
   * the NameNode sends as a RemoteException); or S3's answer to a conditional PUT (412 Precondition
   * Failed, 409 ConditionalRequestConflict) as S3A reports it.
   */
  static boolean isAlreadyExists(IOException e) {
    if (causedBy(e, "RemoteFileChangedException") || causedBy(e, "AlreadyBeingCreatedException")) {
      return true;
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof FileAlreadyExistsException || t instanceof java.nio.file.FileAlreadyExistsException) {
        return true;
      }
      String m = String.valueOf(t.getMessage());
      if (m.contains("Status Code: 412") || m.contains("PreconditionFailed")
          || m.contains("ConditionalRequestConflict")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code e} or one of its causes is the exception named {@code simpleName}: matched by name,
   * so core needs neither S3A's nor HDFS's classes at run time, and also as a RemoteException's class
   * name, which is how the NameNode's exceptions arrive.
   */
  static boolean causedBy(Throwable e, String simpleName) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getClass().getSimpleName().equals(simpleName)
          || t instanceof RemoteException r && r.getClassName().endsWith("." + simpleName)) {
        return true;
      }
    }
    return false;
  }
}
