package io.trtfleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final List<String> lines = new ArrayList<>();

  private Progress start(long total) {
    return Progress.start("calibrate histograms", "samples", total, lines::add, now::get, Duration.ofSeconds(5));
  }

  private void tick(double seconds) {
    now.addAndGet((long) (seconds * 1e9));
  }

  @Test
  void reportsCountRateAndEtaOncePerIntervalThenALastLine() {
    Progress p = start(60_000);
    tick(2);
    p.add(4_000);
    assertEquals(List.of(), lines, "nothing before the interval");
    tick(4);
    p.add(8_000);
    assertEquals(List.of("calibrate histograms: 12,000/60,000 samples (20%), 2,000 samples/s, ETA 24 s"), lines);
    tick(1);
    p.add(2_000);
    assertEquals(1, lines.size(), "at most one line per interval");
    tick(23);
    p.set(60_000);
    p.finish();
    p.finish();
    assertEquals(List.of("calibrate histograms: 12,000/60,000 samples (20%), 2,000 samples/s, ETA 24 s",
        "calibrate histograms: 60,000/60,000 samples (100%), 2,000 samples/s",
        "calibrate histograms: 60,000 samples in 30 s (2,000 samples/s)"), lines);
  }

  @Test
  void aShortStageIsOneLineAndAnUnknownTotalHasNoEta() {
    Progress p = start(0);
    tick(0.4);
    p.add(3);
    p.finish();
    assertEquals(List.of("calibrate histograms: 3 samples in 400 ms (7.5 samples/s)"), lines);
    Progress q = start(0);
    tick(6);
    q.add(12);
    assertEquals("calibrate histograms: 12 samples, 2.0 samples/s", lines.get(1));
  }

  @Test
  void stageAndUnitMustBeNamed() {
    assertThrows(IllegalArgumentException.class, () -> Progress.start(" ", "samples", 1, lines::add));
    assertThrows(IllegalArgumentException.class, () -> Progress.start("engines built", "", 1, lines::add));
  }
}
