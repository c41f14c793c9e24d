package io.trtfleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void roundsToWhatMattersAtThatLength() {
    assertEquals("0 ms", Durations.formatNanos(0));
    assertEquals("850 ms", Durations.format(Duration.ofNanos(849_600_000)));
    assertEquals("1.0 s", Durations.format(Duration.ofMillis(1000)));
    assertEquals("4.2 s", Durations.formatSeconds(4.2371));
    assertEquals("10 s", Durations.formatSeconds(9.96));
    assertEquals("38 s", Durations.formatSeconds(37.918263));
    assertEquals("2 min 05 s", Durations.format(Duration.ofSeconds(125)));
    assertEquals("59 min 59 s", Durations.formatSeconds(3599.4));
    assertEquals("1 h 02 min", Durations.format(Duration.ofSeconds(3725)));
    assertEquals("0 ms", Durations.formatSeconds(-3), "a clock step back is no negative time");
  }
}
