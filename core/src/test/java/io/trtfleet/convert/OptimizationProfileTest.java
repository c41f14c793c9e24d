package io.trtfleet.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.TrtfleetException;
import io.trtfleet.graph.TensorSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.DataType;

class OptimizationProfileTest {

  static final TensorSpec IMAGES = new TensorSpec("images:0", DataType.DT_FLOAT, new long[] {-1, -1, 8, 3});
  static final List<Map<String, long[]>> EXAMPLES = List.of(
      Map.of("images:0", new long[] {4, 16, 8, 3}),
      Map.of("images:0", new long[] {32, 8, 8, 3}),
      Map.of("images:0", new long[] {4, 16, 8, 3}));

  private static List<OptimizationProfile> profiles(ProfileStrategy s) {
    return OptimizationProfile.compute(s, List.of(IMAGES), EXAMPLES);
  }

  @Test
  void rangeCoversEveryExampleWithOptAtMax() {
    OptimizationProfile.Dims d = profiles(ProfileStrategy.RANGE).get(0).inputs().get("images:0");
    assertArrayEquals(new long[] {4, 8, 8, 3}, d.min());
    assertArrayEquals(new long[] {32, 16, 8, 3}, d.opt());
    assertArrayEquals(new long[] {32, 16, 8, 3}, d.max());
  }

  @Test
  void optimalHasOneExactProfilePerDistinctShape() {
    List<OptimizationProfile> p = profiles(ProfileStrategy.OPTIMAL);
    assertEquals(2, p.size());
    OptimizationProfile.Dims d = p.get(1).inputs().get("images:0");
    assertArrayEquals(d.min(), d.max());
    assertArrayEquals(new long[] {32, 8, 8, 3}, d.opt());
  }

  @Test
  void rangeOptimalAddsTheRangeProfileLast() {
    List<OptimizationProfile> p = profiles(ProfileStrategy.RANGE_OPTIMAL);
    assertEquals(3, p.size());
    assertEquals(profiles(ProfileStrategy.RANGE).get(0), p.get(2));
  }

  @Test
  void implicitBatchCompatibleFreesTheBatchOnly() {
    OptimizationProfile.Dims d = profiles(ProfileStrategy.IMPLICIT_BATCH_MODE_COMPATIBLE).get(0).inputs().get("images:0");
    assertArrayEquals(new long[] {1, 16, 8, 3}, d.min());
    assertArrayEquals(new long[] {4, 16, 8, 3}, d.max());
  }

  @Test
  void examplesMustFitTheStaticDims() {
    TrtfleetException e = assertThrows(TrtfleetException.class, () -> OptimizationProfile.compute(
        ProfileStrategy.RANGE, List.of(IMAGES), List.of(Map.of("images:0", new long[] {4, 16, 9, 3}))));
    assertTrue(e.getMessage().contains("does not fit input images:0"), e.getMessage());
  }
}
