package io.trtfleet.quantize;

/** amax = the largest |x| seen. Exact, but one outlier stretches the range for every other value. */
public final class MinMaxCalibrator implements Calibrator {

  @Override
  public String cacheName() {
    return "MinMaxCalibration";
  }

  @Override
  public String name() {
    return "minmax";
  }

  @Override
  public float amax(AbsHistogram h) {
    return h.absMax();
  }
}
