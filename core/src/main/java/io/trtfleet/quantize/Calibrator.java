package io.trtfleet.quantize;

/** Chooses a tensor's INT8 range (amax) from its |x| histogram. Thread-safe and stateless. */
public interface Calibrator {

  /** The name TensorRT's cache header uses for the algorithm, e.g. {@code EntropyCalibration2}. */
  String cacheName();

  /** Short name used in the CLI and the JSON table: entropy, minmax, percentile, mse. */
  String name();

  /** The chosen amax; 0 for a tensor that was all zeros. */
  float amax(AbsHistogram histogram);
}
