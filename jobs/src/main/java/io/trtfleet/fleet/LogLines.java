package io.trtfleet.fleet;

import java.io.PrintWriter;
import java.io.Writer;
import org.slf4j.Logger;

/** A PrintWriter whose lines go to a logger at INFO, prefixed: a stage's progress lines inside a Spark task. */
final class LogLines extends Writer {

  private final Logger log;
  private final String prefix;
  private final StringBuilder line = new StringBuilder();

  private LogLines(Logger log, String prefix) {
    this.log = log;
    this.prefix = prefix;
  }

  static PrintWriter of(Logger log, String prefix) {
    return new PrintWriter(new LogLines(log, prefix), true);
  }

  @Override
  public void write(char[] buf, int off, int len) {
    for (int i = off; i < off + len; i++) {
      if (buf[i] == '\n') {
        flushLine();
      } else {
        line.append(buf[i]);
      }
    }
  }

  private void flushLine() {
    if (!line.isEmpty()) {
      log.info("{}: {}", prefix, line);
      line.setLength(0);
    }
  }

  @Override
  public void flush() {
    // Lines are logged whole, when they end.
  }

  @Override
  public void close() {
    flushLine();
  }
}
