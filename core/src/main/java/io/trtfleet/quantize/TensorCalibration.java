package io.trtfleet.quantize;

import java.util.Map;

/**
 * The audited result for one tensor: the chosen amax and scale, the histogram it came from, summary
 * statistics, and what the other algorithms would have chosen.
 */
public record TensorCalibration(String tensor, float amax, float scale, double binWidth, long[] counts,
    long values, float min, float max, double mean, double std, boolean allZero,
    Map<String, Float> amaxByAlgorithm) {

  public TensorCalibration {
    counts = counts.clone();
    amaxByAlgorithm = Map.copyOf(amaxByAlgorithm);
  }

  @Override
  public long[] counts() {
    return counts.clone();
  }
}
