package io.trtfleet.tensorrt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/** The staging slots alternate, so a batch is staged while the previous one's slot is still being uploaded. */
class PinnedStagingTest {

  @Test
  void slotsAlternate() {
    assertEquals(2, PinnedStaging.SLOTS);
    int slot = 0;
    for (int i = 0; i < 5; i++) {
      int next = PinnedStaging.nextSlot(slot);
      assertNotEquals(slot, next, "consecutive batches never share a slot");
      assertEquals(slot, PinnedStaging.nextSlot(next), "every other batch reuses it");
      slot = next;
    }
  }
}
