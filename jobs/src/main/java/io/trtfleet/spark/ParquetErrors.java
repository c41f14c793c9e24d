package io.trtfleet.spark;

import io.trtfleet.Messages;
import io.trtfleet.TrtfleetException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Spark's and Parquet's errors while reading a data set, as trtfleet's one line naming the file at
 * fault (a non-Parquet file, a truncated or garbage one, one whose schema differs from the others)
 * instead of a page of stack trace. Spark rethrows a task's read failure on the driver as a checked
 * SparkException, so callers catch Exception around every action that reads the set.
 */
final class ParquetErrors {

  /** Where Spark 4 and Parquet name the file in their messages. */
  private static final List<Pattern> FILE = List.of(
      Pattern.compile("reading file (\\S+?)\\.?(?:\\s|$)"),
      Pattern.compile("^(\\S+) is not a Parquet file"),
      Pattern.compile("[Ff]ooter for file:? ?(?:FileStatus\\{path=)?([^;\\s}]+)"),
      Pattern.compile("in file (\\S+?)\\.?(?:\\s|$)"));

  private ParquetErrors() {}

  /** One line saying what could not be read, naming the file when Spark or Parquet did. */
  static TrtfleetException readFailure(String what, String uri, Throwable e) {
    if (e instanceof TrtfleetException t) {
      return t;
    }
    String cause = Messages.rootFirstLine(e);
    Optional<String> file = file(e);
    if (file.isPresent()) {
      return new TrtfleetException("cannot read " + what + " " + uri + ": " + file.get() + " is not a readable"
          + " Parquet file of this set (" + cause + "); every file must be complete Parquet with the set's schema:"
          + " remove or rewrite it (trtfleet calibration-data import writes one)", e);
    }
    return new TrtfleetException("cannot read " + what + " " + uri + " as Parquet (" + cause + "): check the URI,"
        + " and convert other formats with trtfleet calibration-data import", e);
  }

  private static Optional<String> file(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = Messages.firstLine(t.getMessage());
      for (Pattern p : FILE) {
        Matcher matcher = p.matcher(m);
        if (matcher.find()) {
          return Optional.of(matcher.group(1));
        }
      }
    }
    return Optional.empty();
  }
}
