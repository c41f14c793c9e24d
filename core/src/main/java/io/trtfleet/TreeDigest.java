package io.trtfleet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * SHA-256 of local files by content, stable across machines: each file as its name, length and bytes,
 * in name order. The artifact store keys builds by it and the model cache keys imported models by it,
 * so both agree on what "the same SavedModel" is.
 */
public final class TreeDigest {

  private TreeDigest() {}

  /** A directory tree: every regular file, named by its relative path with '/' separators. */
  public static String of(Path dir) {
    List<Map.Entry<String, Path>> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(Files::isRegularFile)
          .map(f -> Map.entry(dir.relativize(f).toString().replace('\\', '/'), f)).toList();
    } catch (IOException e) {
      throw new TrtfleetException("cannot read " + dir + " (" + e.getMessage() + ")", e);
    }
    return ofFiles(files);
  }

  /** Files under the names given, in name order (stable for equal names; timestamps and locations do not count). */
  public static String ofFiles(List<Map.Entry<String, Path>> namedFiles) {
    List<Map.Entry<String, Path>> sorted = new ArrayList<>(namedFiles);
    sorted.sort(Map.Entry.comparingByKey());
    MessageDigest sha = sha256();
    byte[] buf = new byte[1 << 16];
    for (Map.Entry<String, Path> e : sorted) {
      Path f = e.getValue();
      try {
        // Name and length delimit each entry, so moving bytes between files changes the digest.
        sha.update(e.getKey().getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(Long.toString(Files.size(f)).getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        try (InputStream in = Files.newInputStream(f)) {
          for (int n; (n = in.read(buf)) > 0; ) {
            sha.update(buf, 0, n);
          }
        }
      } catch (IOException x) {
        throw new TrtfleetException("cannot read " + f + " (" + x.getMessage() + ")", x);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
