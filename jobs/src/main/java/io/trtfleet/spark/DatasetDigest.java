package io.trtfleet.spark;

import io.trtfleet.TrtfleetException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * SHA-256 over a dataset's data files (relative path, size and bytes, in path order), through the
 * Hadoop FileSystem API: the same content gives the same digest on file://, s3a:// or hdfs://, which is
 * what lets a nightly run skip recalibration when nothing changed.
 */
public final class DatasetDigest {

  private DatasetDigest() {}

  public static String of(String uri, Configuration conf) {
    return of(uri, conf, "calibration data");
  }

  /** @param what names the input in the error (calibration data, SavedModel, ...) */
  public static String of(String uri, Configuration conf, String what) {
    try {
      Path root = new Path(uri);
      FileSystem fs = root.getFileSystem(conf);
      List<FileStatus> files = new ArrayList<>();
      FileStatus top = fs.getFileStatus(root);
      if (top.isFile()) {
        files.add(top);
      } else {
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
        while (it.hasNext()) {
          LocatedFileStatus f = it.next();
          String name = f.getPath().getName();
          if (!name.startsWith("_") && !name.startsWith(".")) {  // _SUCCESS, .crc: not content
            files.add(f);
          }
        }
      }
      files.sort((a, b) -> a.getPath().toString().compareTo(b.getPath().toString()));
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      String prefix = fs.makeQualified(root).toString();
      for (FileStatus f : files) {
        String rel = f.getPath().toString().substring(Math.min(prefix.length(), f.getPath().toString().length()));
        sha.update(rel.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        sha.update(Long.toString(f.getLen()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try (InputStream in = fs.open(f.getPath())) {
          for (int n; (n = in.read(buf)) > 0; ) {
            sha.update(buf, 0, n);
          }
        }
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (IOException e) {
      throw new TrtfleetException("cannot read " + what + " " + uri + " (" + e.getMessage()
          + "): check the URI and the store's credentials", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
