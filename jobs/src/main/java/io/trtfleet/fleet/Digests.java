package io.trtfleet.fleet;

import io.trtfleet.spark.DatasetDigest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;

/** SHA-256 digests: of file trees through Hadoop (any URI, memoized per run), and of text. */
public final class Digests {

  private final Configuration conf;
  private final Map<String, String> trees = new ConcurrentHashMap<>();

  public Digests(Configuration conf) {
    this.conf = conf;
  }

  /** Digest of the files under a URI (a SavedModel folder, a Parquet set); one read per URI per run. */
  public String tree(String uri, String what) {
    return trees.computeIfAbsent(uri, u -> DatasetDigest.of(u, conf, what));
  }

  /** SHA-256 of the parts, newline-separated. */
  public static String text(String... parts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String p : parts) {
        sha.update(p.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) '\n');
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
