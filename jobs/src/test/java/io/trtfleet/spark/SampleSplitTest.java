package io.trtfleet.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SampleSplitTest {

  @Test
  void largeSetsGetATaskPerChunkSmallOnesOnePerCore() {
    assertEquals(15, SampleSplit.tasks(60_000, 4096, 2), "60k samples: 15 tasks, not one");
    assertEquals(2, SampleSplit.tasks(2_000, 4096, 2), "the sample set keeps both cores busy");
    assertEquals(8, SampleSplit.tasks(2_000, 4096, 16), "but no task gets fewer than 256 samples");
    assertEquals(1, SampleSplit.tasks(240, 4096, 2));
    assertEquals(8, SampleSplit.tasks(240, 32, 2));
    assertEquals(1, SampleSplit.tasks(0, 4096, 8));
  }
}
