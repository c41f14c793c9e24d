package io.trtfleet.tensorrt;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ServingThroughputTest {

  @Test
  void settingsRejectNonPositiveCounts() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new ServingThroughput.Settings(128, 0, true, 10))
        .getMessage().contains("streams 0"));
    assertThrows(IllegalArgumentException.class, () -> new ServingThroughput.Settings(0, 2, false, 10));
    assertThrows(IllegalArgumentException.class, () -> new ServingThroughput.Settings(1, 1, false, 0));
  }
}
