package io.trtfleet;

import java.time.Duration;
import java.util.Locale;

/**
 * Durations as people read them: rounded to what matters at that length ({@code 850 ms}, {@code 4.2 s},
 * {@code 38 s}, {@code 2 min 05 s}, {@code 1 h 02 min}), never {@code 37.918263 s}.
 */
public final class Durations {

  private Durations() {}

  public static String format(Duration d) {
    return formatNanos(d.toNanos());
  }

  public static String formatNanos(long nanos) {
    return formatMillis(Math.round(Math.max(0, nanos) / 1e6));
  }

  public static String formatSeconds(double seconds) {
    return formatMillis(Math.round(Math.max(0, seconds) * 1000));
  }

  /** Since {@code startNanos} (a {@link System#nanoTime()} reading). */
  public static String since(long startNanos) {
    return formatNanos(System.nanoTime() - startNanos);
  }

  private static String formatMillis(long ms) {
    if (ms < 1000) {
      return ms + " ms";
    }
    if (ms < 9_950) {
      return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
    long s = Math.round(ms / 1000.0);
    if (s < 60) {
      return s + " s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
    }
    long min = Math.round(s / 60.0);
    return String.format(Locale.ROOT, "%d h %02d min", min / 60, min % 60);
  }
}
