package io.trtfleet.quantize;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One histogram per calibrated tensor: what a Spark partition produces and the driver merges. Merging
 * adds counts, so any tree of merges gives the same result.
 */
public final class HistogramSet implements Serializable {

  private static final long serialVersionUID = 1L;

  private final LinkedHashMap<String, AbsHistogram> histograms = new LinkedHashMap<>();
  private long samples;
  private final java.util.TreeSet<String> collectors = new java.util.TreeSet<>();
  /** The collector whose last batch is still on its device (not yet folded in); null when none. */
  private transient String inFlight;

  /** Empty histograms with the given bin widths: every partition must start from the same ones. */
  public static HistogramSet withRanges(List<String> tensors, Map<String, Float> ranges, int bins) {
    HistogramSet set = new HistogramSet();
    for (String t : tensors) {
      Float range = ranges.get(t);
      if (range == null) {
        throw new IllegalArgumentException("no range for tensor " + t);
      }
      set.histograms.put(t, AbsHistogram.forRange(t, range, bins));
    }
    return set;
  }

  public AbsHistogram get(String tensor) {
    requireLanded();
    AbsHistogram h = histograms.get(tensor);
    if (h == null) {
      throw new IllegalArgumentException("tensor " + tensor + " is not calibrated");
    }
    return h;
  }

  public Map<String, AbsHistogram> histograms() {
    requireLanded();
    return Collections.unmodifiableMap(histograms);
  }

  public long samples() {
    requireLanded();
    return samples;
  }

  public void addSamples(long n) {
    requireLanded();
    samples += n;
  }

  /** Records which collector ({@link CalibrationCollector#device()}) counted into this set. */
  public void addCollector(String device) {
    collectors.add(device);
  }

  /** The collectors that counted into this set and the sets merged into it, e.g. [gpu]. */
  public java.util.SortedSet<String> collectors() {
    return Collections.unmodifiableSortedSet(collectors);
  }

  public HistogramSet merge(HistogramSet other) {
    requireLanded();
    other.requireLanded();
    if (!histograms.keySet().equals(other.histograms.keySet())) {
      throw new IllegalArgumentException("histogram sets of different tensors cannot merge");
    }
    other.histograms.forEach((t, h) -> histograms.get(t).merge(h));
    samples += other.samples;
    collectors.addAll(other.collectors);
    return this;
  }

  /**
   * Marks a batch that {@code collector} counts into this set as still on its device: until
   * {@link #batchLanded}, reading, merging or serializing the set throws instead of silently missing it.
   */
  public void batchInFlight(String collector) {
    if (inFlight != null) {
      throw new IllegalStateException("a batch of the " + inFlight + " collector is already in flight for these histograms");
    }
    inFlight = collector;
  }

  /** The in-flight batch is about to be folded in: the set may be read again. */
  public void batchLanded() {
    inFlight = null;
  }

  private void requireLanded() {
    if (inFlight != null) {
      throw new IllegalStateException("histograms read while a batch counted by the " + inFlight + " collector is"
          + " still in flight: call CalibrationCollector.flush() after the last accumulate and before reading them");
    }
  }

  private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
    requireLanded();
    out.defaultWriteObject();
  }
}
