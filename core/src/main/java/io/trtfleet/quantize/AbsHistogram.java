package io.trtfleet.quantize;

import io.trtfleet.calibrate.HistogramKernels;
import java.io.Serializable;
import java.util.Arrays;

/**
 * Histogram of |x| for one tensor with a bin width fixed before counting: bin k holds
 * {@code k*w <= |x| < (k+1)*w}. Values past the last bin append bins (old counts are never re-binned),
 * so merging two histograms of the same width is adding counts, and the merged result does not
 * depend on how the data was split or ordered. Exact max |x| and signed min/max ride along; mean and
 * standard deviation are informational only (floating-point sums depend on order in the last bits).
 */
public final class AbsHistogram implements Serializable {

  private static final long serialVersionUID = 1L;

  /** TensorRT's and ModelOpt's histogram resolution. */
  public static final int DEFAULT_BINS = 2048;

  private final String tensor;
  private final double binWidth;
  private final int initialBins;
  private long[] counts;
  private long total;
  private float absMax;
  private float min = Float.POSITIVE_INFINITY;
  private float max = Float.NEGATIVE_INFINITY;
  private double sum;
  private double sumSquares;

  /** An empty histogram whose first {@code bins} bins cover [0, range]. */
  public static AbsHistogram forRange(String tensor, float range, int bins) {
    double width = range > 0 ? (double) range / bins : 0;
    return new AbsHistogram(tensor, width, bins);
  }

  AbsHistogram(String tensor, double binWidth, int bins) {
    if (binWidth < 0 || Double.isNaN(binWidth) || bins <= 0) {
      throw new IllegalArgumentException("bad histogram for " + tensor + ": width " + binWidth + ", bins " + bins);
    }
    this.tensor = tensor;
    this.binWidth = binWidth;
    this.initialBins = bins;
    this.counts = new long[bins];
  }

  /**
   * Counts values[offset, offset+length). A NaN or infinite activation is an error: it would poison
   * every threshold.
   */
  public void add(float[] values, int offset, int length) {
    double inv = binWidth > 0 ? 1.0 / binWidth : 0;
    double edge = binWidth * initialBins;
    long[] c = counts;
    float lo = min;
    float hi = max;
    double s = 0;
    double s2 = 0;
    for (int i = offset, end = offset + length; i < end; i++) {
      float v = values[i];
      if (!Float.isFinite(v)) {
        throw new NonFiniteActivationException(tensor, v);
      }
      float a = Math.abs(v);
      int bin;
      if (a <= edge) {
        // [0, range] closed on the right, as numpy.histogram treats the last bin.
        bin = Math.min((int) (a * inv), initialBins - 1);
      } else {
        bin = (int) (a * inv);
        if (bin >= c.length) {
          c = Arrays.copyOf(c, Math.max(bin + 1, c.length + c.length / 4));
        }
      }
      c[bin]++;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      s += v;
      s2 += (double) v * v;
    }
    counts = c;
    total += length;
    min = lo;
    max = hi;
    absMax = Math.max(Math.abs(lo), Math.abs(hi));
    sum += s;
    sumSquares += s2;
  }

  /**
   * Adds counts computed elsewhere with this histogram's binning (the GPU collector's kernel, see
   * {@link HistogramKernels#binIndex}): {@code binCounts[k]} values fell in bin k, {@code total} values in
   * all, with signed extremes {@code lo}/{@code hi} and sums {@code s}/{@code s2} of x and x^2.
   */
  public void addCounts(long[] binCounts, long total, float lo, float hi, double s, double s2) {
    if (binCounts.length > counts.length) {
      counts = Arrays.copyOf(counts, binCounts.length);
    }
    long n = 0;
    for (int i = 0; i < binCounts.length; i++) {
      counts[i] += binCounts[i];
      n += binCounts[i];
    }
    if (n != total) {
      throw new IllegalArgumentException(tensor + ": " + n + " counted values but " + total + " reported");
    }
    if (total == 0) {
      return;
    }
    this.total += total;
    min = Math.min(min, lo);
    max = Math.max(max, hi);
    absMax = Math.max(Math.abs(min), Math.abs(max));
    sum += s;
    sumSquares += s2;
  }

  /** Width-0 histograms bin everything into bin 0; otherwise 1/width, as {@link #add} computes it. */
  public double inverseWidth() {
    return binWidth > 0 ? 1.0 / binWidth : 0;
  }

  /** The right edge of the initial bins (the range), as {@link #add} computes it. */
  public double edge() {
    return binWidth * initialBins;
  }

  public int initialBins() {
    return initialBins;
  }

  /** Adds another histogram of the same tensor and bin width into this one. */
  public AbsHistogram merge(AbsHistogram other) {
    if (!tensor.equals(other.tensor) || binWidth != other.binWidth || initialBins != other.initialBins) {
      throw new IllegalArgumentException("cannot merge histograms of " + tensor + " (width " + binWidth
          + ") and " + other.tensor + " (width " + other.binWidth + "): widths are fixed per tensor");
    }
    if (other.counts.length > counts.length) {
      counts = Arrays.copyOf(counts, other.counts.length);
    }
    for (int i = 0; i < other.counts.length; i++) {
      counts[i] += other.counts[i];
    }
    total += other.total;
    absMax = Math.max(absMax, other.absMax);
    min = Math.min(min, other.min);
    max = Math.max(max, other.max);
    sum += other.sum;
    sumSquares += other.sumSquares;
    return this;
  }

  public String tensor() {
    return tensor;
  }

  public double binWidth() {
    return binWidth;
  }

  /** Bins in use: the initial ones, plus any appended, without trailing empty bins past those. */
  public long[] counts() {
    int n = counts.length;
    while (n > initialBins && counts[n - 1] == 0) {
      n--;
    }
    return Arrays.copyOf(counts, n);
  }

  public long total() {
    return total;
  }

  public float absMax() {
    return total == 0 ? 0f : absMax;
  }

  public float min() {
    return total == 0 ? 0f : min;
  }

  public float max() {
    return total == 0 ? 0f : max;
  }

  public double mean() {
    return total == 0 ? 0 : sum / total;
  }

  public double std() {
    if (total == 0) {
      return 0;
    }
    double m = mean();
    return Math.sqrt(Math.max(0, sumSquares / total - m * m));
  }

  /** True when every value seen was zero (or nothing was seen): no scale can be derived. */
  public boolean isAllZero() {
    return absMax() == 0f;
  }

  /** Equal counts, width and exact extremes: what "bit-identical calibration" compares. */
  public boolean sameCounts(AbsHistogram o) {
    return tensor.equals(o.tensor) && binWidth == o.binWidth && Arrays.equals(counts(), o.counts())
        && total == o.total && Float.floatToIntBits(absMax()) == Float.floatToIntBits(o.absMax())
        && Float.floatToIntBits(min()) == Float.floatToIntBits(o.min())
        && Float.floatToIntBits(max()) == Float.floatToIntBits(o.max());
  }

  /** A histogram from counts (tests, and reading calibration.json back). */
  public static AbsHistogram ofCounts(String tensor, double binWidth, long[] counts) {
    AbsHistogram h = new AbsHistogram(tensor, binWidth, counts.length);
    h.counts = counts.clone();
    h.total = Arrays.stream(counts).sum();
    int last = counts.length - 1;
    while (last >= 0 && counts[last] == 0) {
      last--;
    }
    h.absMax = last < 0 ? 0f : (float) ((last + 1) * binWidth);
    h.min = 0f;
    h.max = h.absMax;
    return h;
  }
}
