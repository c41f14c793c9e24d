package io.trtfleet.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class CalibratorsTest {

  /** ReLU(N(0,1)): the reference note's example, 4.09 with the c[0] = c[1] step, 2.06 without. */
  static AbsHistogram reluGaussian(int n, long seed) {
    Random r = new Random(seed);
    float[] v = new float[n];
    float max = 0;
    for (int i = 0; i < n; i++) {
      v[i] = (float) Math.max(0, r.nextGaussian());
      max = Math.max(max, v[i]);
    }
    AbsHistogram h = AbsHistogram.forRange("relu", max, AbsHistogram.DEFAULT_BINS);
    h.add(v, 0, n);
    return h;
  }

  /** The search as the note states it, bin by bin: the oracle for the fast version. */
  static int naiveBestBin(long[] raw, boolean zeroBinFix) {
    long[] c = raw.clone();
    if (zeroBinFix) {
      c[0] = c[1];
    }
    int n = c.length;
    double best = Double.POSITIVE_INFINITY;
    int bestI = n;
    for (int i = 128; i <= n; i++) {
      double[] p = new double[i];
      for (int j = 0; j < i; j++) {
        p[j] = c[j];
      }
      for (int j = i; j < n; j++) {
        p[i - 1] += c[j];
      }
      double[] levelSum = new double[128];
      int[] levelCount = new int[128];
      for (int j = 0; j < i; j++) {
        int l = (int) ((long) j * 128 / i);
        if (c[j] != 0) {
          levelSum[l] += c[j];
          levelCount[l]++;
        }
      }
      double[] q = new double[i];
      for (int j = 0; j < i; j++) {
        int l = (int) ((long) j * 128 / i);
        q[j] = c[j] != 0 ? levelSum[l] / levelCount[l] : 0;
      }
      double ps = 0;
      double qs = 0;
      for (int j = 0; j < i; j++) {
        ps += p[j];
        qs += q[j];
      }
      double d = 0;
      for (int j = 0; j < i; j++) {
        double pj = p[j] / ps;
        double qj = q[j] / qs;
        if (pj > 0) {
          d += qj == 0 ? Double.POSITIVE_INFINITY : pj * Math.log(pj / qj);
        }
      }
      if (Double.isNaN(d)) {
        d = Double.POSITIVE_INFINITY;
      }
      if (d <= best) {
        best = d;
        bestI = i;
      }
    }
    return bestI;
  }

  @Test
  void entropyOnReluGaussianMatchesTheReferenceNote() {
    // The threshold grows slowly with the sample count (the range does); 200k samples is the note's regime.
    AbsHistogram h = reluGaussian(200_000, 3);
    float amax = new EntropyCalibrator().amax(h);
    assertEquals(4.09, amax, 0.1, "entropy threshold for ReLU(N(0,1))");
    long[] c = h.counts();
    int withoutFix = naiveBestBin(c, false);
    assertEquals(2.06, withoutFix * h.binWidth(), 0.15, "dropping c[0]=c[1] moves it down, as the note says");
  }

  @Test
  void fastEntropySearchAgreesWithTheNaiveOne() {
    Random r = new Random(5);
    for (int trial = 0; trial < 30; trial++) {
      int n = 150 + r.nextInt(400);
      long[] c = new long[n];
      for (int j = 0; j < n; j++) {
        // sparse, spiky and heavy-tailed histograms, with empty bins in between
        c[j] = r.nextInt(4) == 0 ? 0 : (long) (1000 * Math.exp(-j / (20.0 + trial * 5)) * r.nextDouble());
      }
      c[n - 1] = 1 + r.nextInt(3);
      assertEquals(naiveBestBin(c, true), EntropyCalibrator.bestBin(c), "trial " + trial);
    }
  }

  @Test
  void fastEntropySearchAgreesOnARealisticHistogram() {
    long[] c = reluGaussian(200_000, 3).counts();
    assertEquals(naiveBestBin(c, true), EntropyCalibrator.bestBin(c));
  }

  @Test
  void minMaxIsTheExactLargestMagnitude() {
    AbsHistogram h = AbsHistogram.forRange("t", 4f, 2048);
    h.add(new float[] {-3.5f, 1f, 2f, 0.25f}, 0, 4);
    assertEquals(3.5f, new MinMaxCalibrator().amax(h));
  }

  @Test
  void percentileIsTheLowerEdgeWhereTheShareIsReached() {
    AbsHistogram h = AbsHistogram.ofCounts("t", 0.5, new long[] {90, 5, 4, 1});
    assertEquals(0.5f, new PercentileCalibrator(95).amax(h), "90 then 95: bin 1, lower edge 0.5");
    assertEquals(1.5f, new PercentileCalibrator(99.99).amax(h));
  }

  @Test
  void mseIgnoresARareOutlierThatMinMaxFollows() {
    // With a million values, clipping one outlier costs less than coarser steps for all the others.
    AbsHistogram h = reluGaussian(1_000_000, 8);
    h.add(new float[] {40f}, 0, 1);
    float mse = new MseCalibrator().amax(h);
    assertEquals(40f, new MinMaxCalibrator().amax(h));
    assertTrue(mse > 2f && mse < 20f, "MSE amax " + mse + " stays well below the outlier");
  }

  @Test
  void allZeroTensorGetsZeroAmaxFromEveryCalibrator() {
    AbsHistogram h = AbsHistogram.forRange("z", 0f, 2048);
    h.add(new float[16], 0, 16);
    assertTrue(h.isAllZero());
    for (Calibrator c : new Calibrator[] {new EntropyCalibrator(), new MinMaxCalibrator(),
        new PercentileCalibrator(99.99), new MseCalibrator()}) {
      assertEquals(0f, c.amax(h), c.name());
    }
  }

  @Test
  void nanActivationIsAnErrorNamingTheTensor() {
    AbsHistogram h = AbsHistogram.forRange("conv1/Relu:0", 1f, 2048);
    NonFiniteActivationException e = assertThrows(NonFiniteActivationException.class,
        () -> h.add(new float[] {0.5f, Float.NaN}, 0, 2));
    assertTrue(e.getMessage().contains("conv1/Relu:0"), e.getMessage());
  }

  @Test
  void mergeIsAdditionAndIndependentOfSplit() {
    Random r = new Random(1);
    float[] v = new float[10_000];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextGaussian() * 3);
    }
    v[42] = 50f;  // beyond the range: appends bins
    AbsHistogram whole = AbsHistogram.forRange("t", 12f, 2048);
    whole.add(v, 0, v.length);
    AbsHistogram a = AbsHistogram.forRange("t", 12f, 2048);
    AbsHistogram b = AbsHistogram.forRange("t", 12f, 2048);
    b.add(v, 3_000, 7_000);
    a.add(v, 0, 3_000);
    assertTrue(b.merge(a).sameCounts(whole));
    assertEquals((int) (50 / (12.0 / 2048)) + 1, whole.counts().length, "bins appended up to the outlier");
  }
}
