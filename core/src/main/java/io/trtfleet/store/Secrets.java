package io.trtfleet.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * Removes credential values (S3A keys and tokens from the Hadoop configuration, the standard AWS
 * environment variables) from text that leaves the store: error messages and log lines we write.
 */
final class Secrets {

  private final List<String> values;

  private Secrets(List<String> values) {
    this.values = List.copyOf(values);
  }

  static Secrets of(Configuration conf) {
    List<String> v = new ArrayList<>();
    for (Map.Entry<String, String> e : conf) {
      String k = e.getKey();
      if (k.startsWith("fs.s3a.") && (k.endsWith("access.key") || k.endsWith("secret.key")
          || k.endsWith("session.token") || k.endsWith("encryption.key"))) {
        add(v, e.getValue());
      }
    }
    for (String env : new String[] {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}) {
      add(v, System.getenv(env));
    }
    return new Secrets(v);
  }

  private static void add(List<String> v, String s) {
    if (s != null && s.length() >= 4) {  // shorter values would blank out ordinary words
      v.add(s);
    }
  }

  String redact(String text) {
    if (text == null) {
      return null;
    }
    String out = text;
    for (String s : values) {
      out = out.replace(s, "***");
    }
    return out;
  }
}
