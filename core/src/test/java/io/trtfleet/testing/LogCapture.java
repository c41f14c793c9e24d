package io.trtfleet.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Captures every log line (message and stack trace) of the given loggers at DEBUG, without sending them
 * to the console, so a test can search what an operator could ever see in the logs.
 */
public final class LogCapture implements AutoCloseable {

  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
  private final AbstractAppender appender;
  private final String[] loggers;

  public LogCapture(String... loggers) {
    this.loggers = loggers;
    appender = new AbstractAppender("capture-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent e) {
        StringBuilder b = new StringBuilder(e.getLoggerName()).append(": ")
            .append(e.getMessage().getFormattedMessage());
        if (e.getThrown() != null) {
          StringWriter w = new StringWriter();
          e.getThrown().printStackTrace(new PrintWriter(w));
          b.append('\n').append(w);
        }
        lines.add(b.toString());
      }
    };
    appender.start();
    Configuration config = ctx.getConfiguration();
    config.addAppender(appender);
    for (String name : loggers) {
      LoggerConfig lc = new LoggerConfig(name, Level.DEBUG, false);
      lc.addAppender(appender, Level.DEBUG, null);
      config.addLogger(name, lc);
    }
    ctx.updateLoggers();
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }

  @Override
  public void close() {
    Configuration config = ctx.getConfiguration();
    for (String name : loggers) {
      config.removeLogger(name);
    }
    appender.stop();
    ctx.updateLoggers();
  }
}
