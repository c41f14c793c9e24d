package io.trtfleet.bench;

import io.trtfleet.quantize.AbsHistogram;
import io.trtfleet.quantize.Calibrator;
import io.trtfleet.quantize.EntropyCalibrator;
import io.trtfleet.quantize.MseCalibrator;
import io.trtfleet.quantize.PercentileCalibrator;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Threshold search time for one 2048-bin histogram, single-threaded (target for entropy: median <= 5
 * ms). Run: scripts/bench core io.trtfleet.bench.EntropyBench
 */
public final class EntropyBench {

  public static void main(String[] args) {
    Random r = new Random(1);
    float[] v = new float[1_000_000];
    float max = 0;
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) Math.max(0, r.nextGaussian());
      max = Math.max(max, v[i]);
    }
    AbsHistogram h = AbsHistogram.forRange("relu", max, AbsHistogram.DEFAULT_BINS);
    h.add(v, 0, v.length);
    System.out.printf(Locale.ROOT, "histogram: %d bins, %d values (ReLU of N(0,1))%n", h.counts().length, h.total());
    for (Calibrator c : new Calibrator[] {new EntropyCalibrator(), new MseCalibrator(), new PercentileCalibrator(99.99)}) {
      for (int i = 0; i < 200; i++) {
        c.amax(h);  // warm-up: JIT
      }
      int runs = 500;
      double[] ms = new double[runs];
      float amax = 0;
      for (int i = 0; i < runs; i++) {
        long t = System.nanoTime();
        amax = c.amax(h);
        ms[i] = (System.nanoTime() - t) / 1e6;
      }
      Arrays.sort(ms);
      System.out.printf(Locale.ROOT, "%-10s amax %.4f  median %.3f ms  p90 %.3f ms  min %.3f ms  (%d runs)%n",
          c.name(), amax, ms[runs / 2], ms[runs * 9 / 10], ms[0], runs);
    }
  }
}
