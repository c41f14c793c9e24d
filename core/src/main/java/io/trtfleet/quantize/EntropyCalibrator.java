package io.trtfleet.quantize;

/**
 * TensorRT-compatible entropy (KL-divergence) calibration, exactly as
 * {@code shared/reference/calibration.md} fixes it (NVIDIA pytorch-quantization's algorithm):
 * c[0] = c[1]; for each candidate i in [128, N], P = c[0..i) with the outliers added to P[i-1], Q =
 * c[0..i) merged into 128 levels (each non-empty bin gets its level's mean over non-empty bins), both
 * normalized; the i with the smallest KL(P||Q) wins, ties to the largest i; amax = i * w.
 *
 * <p>The naive search visits O(N^2) bins. Here each candidate costs O(128): with prefix sums of c, of
 * the count of non-empty bins and of c*ln(c), KL(P||Q) = (sum P ln P)/T - ln T - (sum_l S_l ln(S_l/n_l)
 * + outlier term)/T + ln(sum Q), where S_l and n_l are a level's sum and non-empty bin count. The
 * fast form rounds differently from the naive one in the last bits; tests check both pick the same i.
 */
public final class EntropyCalibrator implements Calibrator {

  static final int LEVELS = 128;
  /** ln(v) for small integers: a level's count and its non-empty bin count are mostly small. */
  private static final double[] LN = new double[1 << 16];

  static {
    for (int v = 1; v < LN.length; v++) {
      LN[v] = Math.log(v);
    }
  }

  @Override
  public String cacheName() {
    return "EntropyCalibration2";
  }

  @Override
  public String name() {
    return "entropy";
  }

  @Override
  public float amax(AbsHistogram h) {
    if (h.isAllZero()) {
      return 0f;
    }
    return (float) (bestBin(h.counts()) * h.binWidth());
  }

  /** The chosen number of bins i (amax = i * w). */
  static int bestBin(long[] raw) {
    int n = raw.length;
    if (n <= LEVELS) {
      return n;
    }
    long[] c = raw.clone();
    c[0] = c[1];  // the zero spike after a ReLU would dominate otherwise
    long[] prefix = new long[n + 1];
    int[] nonEmpty = new int[n + 1];
    double[] cLnC = new double[n + 1];
    for (int j = 0; j < n; j++) {
      prefix[j + 1] = prefix[j] + c[j];
      nonEmpty[j + 1] = nonEmpty[j] + (c[j] != 0 ? 1 : 0);
      cLnC[j + 1] = cLnC[j] + (c[j] != 0 ? c[j] * Math.log(c[j]) : 0);
    }
    long total = prefix[n];
    double lnTotal = Math.log(total);
    double best = Double.POSITIVE_INFINITY;
    int bestI = n;
    for (int i = LEVELS; i <= n; i++) {
      double d = divergence(c, prefix, nonEmpty, cLnC, total, lnTotal, i);
      if (d <= best) {  // ties go to the larger i
        best = d;
        bestI = i;
      }
    }
    return bestI;
  }

  private static double divergence(long[] c, long[] prefix, int[] nonEmpty, double[] cLnC, long total,
      double lnTotal, int i) {
    long outliers = total - prefix[i];
    long last = c[i - 1] + outliers;  // P[i-1]
    if (last > 0 && c[i - 1] == 0) {
      return Double.POSITIVE_INFINITY;  // P > 0 where Q = 0
    }
    // sum over j < i of P ln P: c ln c for all bins but the last, which holds the outliers too.
    double pLnP = cLnC[i - 1] + (last > 0 ? last * Math.log(last) : 0);
    // sum over j of P[j] ln Q[j], level by level; Q[j] = S/n on a level's non-empty bins.
    double pLnQ = 0;
    long qTotal = prefix[i];
    for (int l = 0; l < LEVELS; l++) {
      int start = levelStart(l, i);
      int end = levelStart(l + 1, i);
      long s = prefix[end] - prefix[start];
      if (s == 0) {
        continue;
      }
      int k = nonEmpty[end] - nonEmpty[start];
      double lnQ = (s < LN.length ? LN[(int) s] : Math.log(s)) - LN[k];
      long pSum = end == i ? s + outliers : s;
      pLnQ += pSum * lnQ;
    }
    double d = pLnP / total - lnTotal - pLnQ / total + Math.log(qTotal);
    return Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
  }

  /** First bin j with floor(j * 128 / i) >= l, i.e. ceil(l * i / 128). */
  static int levelStart(int l, int i) {
    return (int) (((long) l * i + LEVELS - 1) / LEVELS);
  }
}
