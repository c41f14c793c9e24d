package io.trtfleet;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes credentials from text that leaves trtfleet (error lines, log lines, reports): the values of
 * settings named like a secret (from a Hadoop configuration, command-line arguments or the environment),
 * the user-info part of URIs ({@code s3a://KEY:SECRET@bucket}, also when the secret holds '/'), and
 * anything written as {@code <secret-ish name>=value}. Values are known exactly where they come from a
 * configuration or the arguments (so a secret with spaces or '/' is caught whole); the patterns catch the
 * rest.
 */
public final class Secrets {

  /** Setting names whose values are credentials: fs.s3a.secret.key, *.password, *token*, *credential*, ... */
  private static final String SECRET_WORDS =
      "secret|password|passwd|token|credential|access[._-]?key|account[._-]key|private[._-]?key|session[._-]?key";
  private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(" + SECRET_WORDS + ").*");
  /** {@code name=value} or {@code name: value} where the name looks like a secret's. */
  private static final Pattern SECRET_SETTING = Pattern.compile(
      "(?i)([A-Za-z0-9_.\\-]*(?:" + SECRET_WORDS + ")[A-Za-z0-9_.\\-]*\\s*[=:]\\s*)([^\\s,;'\"()\\[\\]{}]+)");
  /** The user-info of a URI: everything between "scheme://" and the '@' (a secret may contain '/'). */
  private static final Pattern URI_USERINFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.\\-]*://)[^@\\s]+@");
  private static final String MASK = "***";
  /** Shorter values would blank out ordinary words. */
  private static final int MIN_LENGTH = 4;

  private static final Secrets NONE = new Secrets(List.of());

  private final List<String> values;

  private Secrets(Set<String> values) {
    this(new ArrayList<>(values));
  }

  private Secrets(List<String> values) {
    List<String> v = new ArrayList<>(values);
    v.sort(Comparator.comparingInt(String::length).reversed()); // "KEY:SECRET" before "KEY"
    this.values = List.copyOf(v);
  }

  /** Only the patterns (URI user-info, secret-ish name=value). */
  public static Secrets none() {
    return NONE;
  }

  /**
   * The values of every setting named like a secret ({@code fs.s3a.secret.key}, {@code *.password},
   * {@code *token*}, ...), plus the standard AWS environment variables. A Hadoop {@code Configuration}
   * is such an iterable.
   */
  public static Secrets of(Iterable<Map.Entry<String, String>> settings) {
    Set<String> v = new LinkedHashSet<>();
    for (Map.Entry<String, String> e : settings) {
      if (isSecretName(e.getKey())) {
        add(v, e.getValue());
      }
    }
    return new Secrets(v).plus(environment());
  }

  /**
   * What command-line arguments reveal: values of {@code name=value} arguments with a secret-ish name
   * (also mistyped options such as {@code --cnf fs.s3a.secret.key=...}) and the user-info of URIs.
   */
  public static Secrets ofArguments(String... args) {
    Set<String> v = new LinkedHashSet<>();
    for (String a : args == null ? new String[0] : args) {
      if (a == null) {
        continue;
      }
      int eq = a.indexOf('=');
      while (eq > 0) {  // --conf=fs.s3a.secret.key=V: every name=value split, leftmost first
        String name = a.substring(0, eq);
        if (isSecretName(name.substring(name.lastIndexOf('=') + 1))) {
          add(v, a.substring(eq + 1));
          break;
        }
        eq = a.indexOf('=', eq + 1);
      }
      int scheme = a.indexOf("://");
      int at = a.lastIndexOf('@');
      if (scheme > 0 && at > scheme + 3) {
        String userInfo = a.substring(scheme + 3, at);
        add(v, userInfo);
        for (String part : userInfo.split(":", 2)) {
          add(v, part);
        }
      }
    }
    return new Secrets(v).plus(environment());
  }

  /** The AWS variables S3A's default chain reads, and any variable named like a secret. */
  private static Secrets environment() {
    Set<String> v = new LinkedHashSet<>();
    for (Map.Entry<String, String> e : System.getenv().entrySet()) {
      if (e.getKey().startsWith("AWS_") && isSecretName(e.getKey())
          || isSecretName(e.getKey()) && e.getValue() != null && e.getValue().length() >= 8) {
        add(v, e.getValue());
      }
    }
    return new Secrets(v);
  }

  /** Whether a setting or variable of this name holds a credential. */
  public static boolean isSecretName(String name) {
    return name != null && SECRET_NAME.matcher(name).matches();
  }

  public Secrets plus(Secrets other) {
    Set<String> all = new LinkedHashSet<>(values);
    all.addAll(other.values);
    return new Secrets(all);
  }

  private static void add(Set<String> v, String s) {
    if (s == null || s.length() < MIN_LENGTH) {
      return;
    }
    v.add(s);
    String encoded = URLEncoder.encode(s, StandardCharsets.UTF_8);  // as it appears inside a URI
    if (!encoded.equals(s)) {
      v.add(encoded);
      v.add(encoded.replace("+", "%20"));
    }
  }

  /** {@code text} with every known secret value, URI user-info and secret-ish setting value masked. */
  public String redact(String text) {
    if (text == null) {
      return null;
    }
    String out = text;
    for (String s : values) {
      out = out.replace(s, MASK);
    }
    out = URI_USERINFO.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK + "@"));
    return SECRET_SETTING.matcher(out).replaceAll(m -> m.group(2).equals(MASK) ? Matcher.quoteReplacement(m.group())
        : Matcher.quoteReplacement(m.group(1) + MASK));
  }

  /** Whether {@link #redact} would change {@code text}. */
  public boolean reveals(String text) {
    return text != null && !text.equals(redact(text));
  }
}
