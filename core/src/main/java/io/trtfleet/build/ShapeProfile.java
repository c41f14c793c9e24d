package io.trtfleet.build;

import java.io.Serializable;
import java.util.Arrays;

/** One input's optimization-profile dimensions: the smallest, best-tuned and largest shapes. */
public record ShapeProfile(String input, long[] min, long[] opt, long[] max) implements Serializable {

  public ShapeProfile {
    if (min.length != opt.length || opt.length != max.length) {
      throw new IllegalArgumentException("profile of " + input + ": min/opt/max ranks differ");
    }
    for (int i = 0; i < min.length; i++) {
      if (min[i] < 0 || min[i] > opt[i] || opt[i] > max[i]) {
        throw new IllegalArgumentException("profile of " + input + ": need 0 <= min <= opt <= max, got "
            + Arrays.toString(min) + " " + Arrays.toString(opt) + " " + Arrays.toString(max));
      }
    }
    min = min.clone();
    opt = opt.clone();
    max = max.clone();
  }

  /** Batch from 1 to {@code maxBatch}, tuned for {@code optBatch}, other dims fixed to {@code sample}. */
  public static ShapeProfile batchRange(String input, long[] sample, int optBatch, int maxBatch) {
    return new ShapeProfile(input, withBatch(sample, 1), withBatch(sample, optBatch), withBatch(sample, maxBatch));
  }

  private static long[] withBatch(long[] sample, long batch) {
    long[] s = new long[sample.length + 1];
    s[0] = batch;
    System.arraycopy(sample, 0, s, 1, sample.length);
    return s;
  }

  @Override
  public long[] min() {
    return min.clone();
  }

  @Override
  public long[] opt() {
    return opt.clone();
  }

  @Override
  public long[] max() {
    return max.clone();
  }
}
