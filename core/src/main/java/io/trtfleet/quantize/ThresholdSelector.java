package io.trtfleet.quantize;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns merged histograms into per-tensor thresholds with the chosen calibrator, and records every
 * other calibrator's choice for the report. Tensors are independent, so they run in parallel.
 */
public final class ThresholdSelector {

  private ThresholdSelector() {}

  public static List<TensorCalibration> select(HistogramSet histograms, Calibrator chosen,
      List<Calibrator> all) {
    return histograms.histograms().values().parallelStream()
        .map(h -> calibrate(h, chosen, all))
        .toList();  // parallelStream().toList() keeps encounter order: the output is deterministic
  }

  static TensorCalibration calibrate(AbsHistogram h, Calibrator chosen, List<Calibrator> all) {
    Map<String, Float> byAlgorithm = new LinkedHashMap<>();
    for (Calibrator c : all) {
      byAlgorithm.put(c.name(), c.amax(h));
    }
    float amax = byAlgorithm.containsKey(chosen.name()) ? byAlgorithm.get(chosen.name()) : chosen.amax(h);
    // An all-zero tensor keeps scale 0 in the cache, as TensorRT writes it; Q/DQ insertion skips it.
    float scale = amax / CalibrationTable.QMAX;
    return new TensorCalibration(h.tensor(), amax, scale, h.binWidth(), h.counts(), h.total(), h.min(),
        h.max(), h.mean(), h.std(), h.isAllZero(), byAlgorithm);
  }
}
