package io.trtfleet;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.LoggerFactory;

/**
 * Progress of one stage of long work (samples histogrammed, segments converted, engines built): count
 * it with {@link #add} or {@link #set} from any thread; it prints a line with the count, rate and ETA
 * at most once per interval, and {@link #finish} prints the stage's last line. A stage shorter than the
 * interval prints that one line only:
 *
 * <pre>
 * calibrate histograms: 12,032/60,000 samples (20%), 1,950 samples/s, ETA 25 s
 * calibrate histograms: 60,000 samples in 31 s (1,935 samples/s)
 * </pre>
 */
public final class Progress {

  /** How often a running stage reports, unless told otherwise. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

  private final String stage;
  private final String unit;
  private final long total;
  private final Consumer<String> sink;
  private final LongSupplier clock;
  private final long intervalNanos;
  private final long startNanos;
  private long done;
  private long lastReportNanos;
  private long lastReportedDone;
  private boolean finished;

  private Progress(String stage, String unit, long total, Consumer<String> sink, LongSupplier clock,
      Duration interval) {
    if (stage == null || stage.isBlank()) {
      throw new IllegalArgumentException("a progress stage needs a name");
    }
    if (unit == null || unit.isBlank()) {
      throw new IllegalArgumentException("progress of '" + stage + "' needs a unit, e.g. samples");
    }
    if (interval.isNegative()) {
      throw new IllegalArgumentException("progress interval must not be negative, got " + interval);
    }
    this.stage = stage;
    this.unit = unit;
    this.total = Math.max(0, total);
    this.sink = Objects.requireNonNull(sink, "sink");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.intervalNanos = interval.toNanos();
    this.startNanos = clock.getAsLong();
    this.lastReportNanos = startNanos;
  }

  /**
   * A stage that logs its lines at INFO (logger {@code io.trtfleet.Progress}).
   *
   * @param total how many units the stage has; 0 when unknown (no percentage, no ETA)
   */
  public static Progress start(String stage, String unit, long total) {
    return start(stage, unit, total, LoggerFactory.getLogger(Progress.class)::info);
  }

  /** A stage that hands its lines to {@code sink} (a console, a logger, a test's list). */
  public static Progress start(String stage, String unit, long total, Consumer<String> sink) {
    return start(stage, unit, total, sink, System::nanoTime, DEFAULT_INTERVAL);
  }

  /** As above, with the clock ({@link System#nanoTime()} readings) and the interval given. */
  public static Progress start(String stage, String unit, long total, Consumer<String> sink, LongSupplier clock,
      Duration interval) {
    return new Progress(stage, unit, total, sink, clock, interval);
  }

  /** Counts {@code n} more units done. */
  public synchronized void add(long n) {
    update(done + n);
  }

  /** Sets the units done so far (for counts that arrive as running totals, such as a Spark accumulator). */
  public synchronized void set(long units) {
    update(units);
  }

  public synchronized long done() {
    return done;
  }

  /** Prints the stage's last line (count, time, rate); later calls do nothing. */
  public synchronized void finish() {
    if (finished) {
      return;
    }
    finished = true;
    long elapsed = clock.getAsLong() - startNanos;
    sink.accept(String.format(Locale.ROOT, "%s: %s %s in %s%s", stage, count(done), unit,
        Durations.formatNanos(elapsed), elapsed > 0 && done > 0 ? " (" + rate(done, elapsed) + ")" : ""));
  }

  private void update(long units) {
    done = units;
    long now = clock.getAsLong();
    if (!finished && done != lastReportedDone && now - lastReportNanos >= intervalNanos) {
      lastReportNanos = now;
      lastReportedDone = done;
      sink.accept(line(now - startNanos));
    }
  }

  private String line(long elapsed) {
    StringBuilder s = new StringBuilder(stage).append(": ").append(count(done));
    if (total > 0) {
      s.append('/').append(count(total)).append(' ').append(unit)
          .append(String.format(Locale.ROOT, " (%d%%)", Math.min(100, done * 100 / total)));
    } else {
      s.append(' ').append(unit);
    }
    if (elapsed > 0 && done > 0) {
      s.append(", ").append(rate(done, elapsed));
      if (total > done) {
        s.append(", ETA ").append(Durations.formatNanos((long) ((double) elapsed * (total - done) / done)));
      }
    }
    return s.toString();
  }

  private String rate(long units, long nanos) {
    double perSecond = units * 1e9 / nanos;
    return (perSecond >= 10 ? count(Math.round(perSecond)) : String.format(Locale.ROOT, "%.2g", perSecond))
        + " " + unit + "/s";
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }
}
