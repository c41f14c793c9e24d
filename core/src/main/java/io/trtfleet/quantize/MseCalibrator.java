package io.trtfleet.quantize;

/**
 * amax minimizing the mean squared error of fake-quantizing the histogram's bin centres, over the
 * bin centres from bin 128 up; the first minimum wins.
 */
public final class MseCalibrator implements Calibrator {

  static final int START_BIN = 128;

  @Override
  public String cacheName() {
    return "MseCalibration";
  }

  @Override
  public String name() {
    return "mse";
  }

  @Override
  public float amax(AbsHistogram h) {
    if (h.isAllZero()) {
      return 0f;
    }
    long[] c = h.counts();
    double w = h.binWidth();
    int n = c.length;
    // Only non-empty bins contribute: index them once instead of scanning zeros per candidate.
    int[] nz = new int[n];
    int m = 0;
    for (int k = 0; k < n; k++) {
      if (c[k] != 0) {
        nz[m++] = k;
      }
    }
    double best = Double.POSITIVE_INFINITY;
    double bestAmax = (n - 0.5) * w;
    for (int i = Math.min(START_BIN, n - 1); i < n; i++) {
      double amax = (i + 0.5) * w;
      double scale = CalibrationTable.QMAX / amax;
      double err = 0;
      for (int t = 0; t < m; t++) {
        int k = nz[t];
        double centre = (k + 0.5) * w;
        double q = Math.min(Math.rint(centre * scale), CalibrationTable.QMAX) / scale;
        double d = q - centre;
        err += c[k] * d * d;
      }
      if (err < best) {
        best = err;
        bestAmax = amax;
      }
    }
    return (float) bestAmax;
  }
}
