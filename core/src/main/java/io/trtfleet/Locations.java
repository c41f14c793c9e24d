package io.trtfleet;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one reading of locations users type (store roots, data sets, model folders): a URI with a scheme
 * ({@code s3a://bucket/x}, {@code hdfs://nn/x}, {@code file:///abs/path}) or a plain local path. A
 * {@code file:} URI always means an absolute local path: {@code file:///x} is /x, never a folder named
 * "file:" in the working folder; {@code file:x} and {@code file://host/x} are refused with a line saying
 * what to write instead.
 */
public final class Locations {

  /** Two or more characters, so a Windows drive letter (C:\x) is not taken for a scheme. */
  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.\\-]+):.*", Pattern.DOTALL);

  private Locations() {}

  /** A location for Hadoop's FileSystem: the URI as given, or a local path made absolute as a file: URI. */
  public static URI uri(String text) {
    try {
      return parseUri(text);
    } catch (TrtfleetException e) {
      throw redacted(text, e);
    }
  }

  /** A local path: a plain path as given, or a file: URI's absolute path; other schemes are refused. */
  public static Path localPath(String text) {
    try {
      return parseLocalPath(text);
    } catch (TrtfleetException e) {
      throw redacted(text, e);
    }
  }

  /** The message without the user-info (keys) of the text, wherever it was quoted. */
  private static TrtfleetException redacted(String text, TrtfleetException e) {
    return new TrtfleetException(Secrets.ofArguments(text).redact(e.getMessage()));
  }

  private static URI parseUri(String text) {
    String t = nonEmpty(text);
    String scheme = scheme(t);
    if (scheme == null) {
      return fileUri(local(t));
    }
    if (scheme.equals("file")) {
      return fileUri(t);
    }
    try {
      return new URI(t);
    } catch (URISyntaxException e) {
      throw new TrtfleetException("'" + t + "' is not a valid URI (" + e.getReason() + " at index " + e.getIndex() + "): percent-encode spaces and special characters (%20)");
    }
  }

  private static Path parseLocalPath(String text) {
    String t = nonEmpty(text);
    String scheme = scheme(t);
    if (scheme == null) {
      try {
        return Path.of(t);
      } catch (InvalidPathException e) {
        throw new TrtfleetException("'" + t + "' is not a valid local path (" + e.getReason() + ")");
      }
    }
    if (scheme.equals("file")) {
      return Path.of(fileUri(t));
    }
    throw new TrtfleetException("'" + t + "' is a " + scheme
        + ":// location, but this option takes a local path (or file:///absolute/path)");
  }

  private static URI fileUri(String t) {
    URI u;
    try {
      u = new URI(t);
    } catch (URISyntaxException e) {
      // file:///my folder: people type file URIs with raw spaces; only the path part matters here.
      String path = t.substring("file:".length());
      if (!path.startsWith("///") && path.startsWith("//") || !path.startsWith("/")) {
        throw notAbsolute(t);
      }
      return fileUri(local(path.replaceFirst("^/+", "/")));
    }
    if (u.isOpaque() || u.getPath() == null || !u.getPath().startsWith("/")) {
      throw notAbsolute(t);
    }
    String host = u.getAuthority();
    if (host != null && !host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
      throw new TrtfleetException("'" + t + "' names the host '" + host
          + "': a file URI is a local absolute path, write file:///" + host + u.getPath() + " for /" + host
          + u.getPath());
    }
    return fileUri(Path.of(u.getPath()).normalize());
  }

  /** file:///abs/path, percent-encoded, without the trailing '/' Path.toUri adds to existing folders. */
  private static URI fileUri(Path absolute) {
    try {
      return new URI("file", "", absolute.toString(), null, null);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("an absolute path is a valid URI path: " + absolute, e);
    }
  }

  private static TrtfleetException notAbsolute(String t) {
    return new TrtfleetException("'" + t + "' is not an absolute file URI: write"
        + " file:///absolute/path, or a plain path (relative to the working folder)");
  }

  private static Path local(String t) {
    try {
      return Path.of(t).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw new TrtfleetException("'" + t + "' is not a valid local path (" + e.getReason()
          + ")");
    }
  }

  private static String scheme(String t) {
    var m = SCHEME.matcher(t);
    return m.matches() ? m.group(1).toLowerCase(Locale.ROOT) : null;
  }

  private static String nonEmpty(String text) {
    if (text == null || text.isBlank()) {
      throw new TrtfleetException("empty location: give a path or a URI (file:///abs/path, s3a://bucket/prefix,"
          + " hdfs://namenode/path)");
    }
    return text.strip();
  }
}
