package io.trtfleet.quantize;

/**
 * amax = the lower edge of the first bin at which the cumulative share of |x| reaches p percent
 * (as NVIDIA pytorch-quantization's percentile calibrator does).
 */
public final class PercentileCalibrator implements Calibrator {

  public static final double DEFAULT_PERCENTILE = 99.99;

  private final double percentile;

  public PercentileCalibrator(double percentile) {
    if (!(percentile > 0 && percentile <= 100)) {
      throw new IllegalArgumentException("percentile must be in (0, 100], got " + percentile);
    }
    this.percentile = percentile;
  }

  public double percentile() {
    return percentile;
  }

  @Override
  public String cacheName() {
    return "PercentileCalibration";
  }

  @Override
  public String name() {
    return "percentile";
  }

  @Override
  public float amax(AbsHistogram h) {
    if (h.isAllZero()) {
      return 0f;
    }
    long[] c = h.counts();
    double target = percentile / 100.0;
    double total = h.total();
    long cumulative = 0;
    for (int k = 0; k < c.length; k++) {
      cumulative += c[k];
      if (cumulative / total >= target) {
        return (float) (k * h.binWidth());
      }
    }
    return (float) (c.length * h.binWidth());
  }
}
