package io.trtfleet.calibrationdata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SamplingTest {

  /** 1,000 samples in 4 uneven classes (500/300/150/50), interleaved. */
  private static int[] labels() {
    int[] labels = new int[1000];
    for (int i = 0; i < labels.length; i++) {
      int r = i % 20;
      labels[i] = r < 10 ? 0 : r < 16 ? 1 : r < 19 ? 2 : 3;
    }
    return labels;
  }

  private static Map<Integer, Integer> counts(int[] labels, int[] picked) {
    Map<Integer, Integer> counts = new TreeMap<>();
    for (int i : picked) {
      counts.merge(labels[i], 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void stratifiedIsProportionalAscendingAndWithoutRepeats() {
    int[] labels = labels();
    int[] picked = Sampling.stratified(labels, 100, 42);

    assertEquals(Map.of(0, 50, 1, 30, 2, 15, 3, 5), counts(labels, picked));
    for (int i = 1; i < picked.length; i++) {
      assertTrue(picked[i] > picked[i - 1], "ascending, no repeats");
    }
  }

  @Test
  void remaindersGoToTheLargestFractionsSoSharesAddUp() {
    int[] labels = labels();
    // 7 of 1000: exact shares 3.5, 2.1, 1.05, 0.35 -> floors 3, 2, 1, 0 (6); the 7th goes to class 0 (.5).
    assertEquals(Map.of(0, 4, 1, 2, 2, 1), counts(labels, Sampling.stratified(labels, 7, 1)));
    // 9: 4.5, 2.7, 1.35, 0.45 -> 4, 2, 1, 0 (7); then class 1 (.7) and class 0 (.5).
    assertEquals(Map.of(0, 5, 1, 3, 2, 1), counts(labels, Sampling.stratified(labels, 9, 1)));
  }

  @Test
  void sameSeedSameSampleOtherSeedOtherSample() {
    int[] labels = labels();
    assertArrayEquals(Sampling.stratified(labels, 100, 42), Sampling.stratified(labels, 100, 42));
    assertFalse(Arrays.equals(Sampling.stratified(labels, 100, 42), Sampling.stratified(labels, 100, 43)));
    assertArrayEquals(Sampling.uniform(1000, 10, 7), Sampling.uniform(1000, 10, 7));
    assertFalse(Arrays.equals(Sampling.uniform(1000, 10, 7), Sampling.uniform(1000, 10, 8)));
  }

  @Test
  void fixedSeedPicksFixedIndices() {
    // Pins the algorithm (java.util.Random + partial Fisher-Yates): a change here changes every sample set.
    assertArrayEquals(new int[] {0, 1, 4, 7}, Sampling.stratified(new int[] {0, 0, 0, 1, 1, 1, 0, 1, 1, 0}, 4, 42));
  }

  @Test
  void takingEverythingGivesEveryIndex() {
    assertArrayEquals(Sampling.all(1000), Sampling.stratified(labels(), 1000, 5));
    assertArrayEquals(Sampling.all(5), Sampling.uniform(5, 5, 5));
  }

  @Test
  void cannotSampleMoreThanThereIs() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sampling.uniform(5, 6, 1));
    assertEquals("Cannot sample 6 of 5 samples", e.getMessage());
  }
}
