package io.trtfleet.convert;

import io.trtfleet.TrtfleetException;
import io.trtfleet.graph.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One TensorRT optimization profile: per segment input, the min, opt and max shape. Stored with the
 * converted segment; the engine build adds one IOptimizationProfile per entry.
 */
public record OptimizationProfile(Map<String, Dims> inputs) implements java.io.Serializable {

  /** min <= opt <= max, element-wise. */
  public record Dims(long[] min, long[] opt, long[] max) implements java.io.Serializable {
    public Dims {
      min = min.clone();
      opt = opt.clone();
      max = max.clone();
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

    @Override
    public boolean equals(Object o) {
      return o instanceof Dims d && Arrays.equals(min, d.min) && Arrays.equals(opt, d.opt) && Arrays.equals(max, d.max);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * Arrays.hashCode(min) + Arrays.hashCode(opt)) + Arrays.hashCode(max);
    }

    @Override
    public String toString() {
      return "min" + Arrays.toString(min) + " opt" + Arrays.toString(opt) + " max" + Arrays.toString(max);
    }
  }

  public OptimizationProfile {
    inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
  }

  /**
   * The profiles of a strategy for the example shapes (one map of input tensor name to shape per
   * example). Fixed dimensions of the inputs must match every example.
   */
  public static List<OptimizationProfile> compute(ProfileStrategy strategy, List<TensorSpec> inputs,
      List<Map<String, long[]>> examples) {
    if (examples.isEmpty()) {
      throw new IllegalArgumentException("Cannot compute optimization profiles without example shapes");
    }
    List<Map<String, long[]>> distinct = distinct(inputs, examples);
    List<OptimizationProfile> out = new ArrayList<>();
    switch (strategy) {
      case RANGE -> out.add(range(inputs, distinct));
      case OPTIMAL -> distinct.forEach(e -> out.add(exact(inputs, e, false)));
      case RANGE_OPTIMAL -> {
        distinct.forEach(e -> out.add(exact(inputs, e, false)));
        OptimizationProfile range = range(inputs, distinct);
        if (!out.contains(range)) {
          out.add(range);
        }
      }
      case IMPLICIT_BATCH_MODE_COMPATIBLE -> distinct.forEach(e -> out.add(exact(inputs, e, true)));
      default -> throw new IllegalArgumentException("strategy " + strategy);
    }
    return List.copyOf(out);
  }

  private static List<Map<String, long[]>> distinct(List<TensorSpec> inputs, List<Map<String, long[]>> examples) {
    Set<List<List<Long>>> seen = new LinkedHashSet<>();
    List<Map<String, long[]>> out = new ArrayList<>();
    for (Map<String, long[]> e : examples) {
      List<List<Long>> key = new ArrayList<>();
      for (TensorSpec in : inputs) {
        long[] shape = e.get(in.name());
        if (shape == null) {
          throw new TrtfleetException("example shapes lack segment input " + in.name());
        }
        check(in, shape);
        key.add(Arrays.stream(shape).boxed().toList());
      }
      if (seen.add(key)) {
        out.add(e);
      }
    }
    return out;
  }

  private static void check(TensorSpec in, long[] shape) {
    long[] s = in.shape();
    boolean ok = s == null || s.length == shape.length;
    for (int i = 0; ok && s != null && i < s.length; i++) {
      ok = shape[i] > 0 && (s[i] < 0 || s[i] == shape[i]);
    }
    if (!ok) {
      throw new TrtfleetException("example shape " + Arrays.toString(shape) + " does not fit input " + in);
    }
  }

  private static OptimizationProfile range(List<TensorSpec> inputs, List<Map<String, long[]>> examples) {
    Map<String, Dims> dims = new LinkedHashMap<>();
    for (TensorSpec in : inputs) {
      long[] min = examples.get(0).get(in.name()).clone();
      long[] max = min.clone();
      for (Map<String, long[]> e : examples) {
        long[] s = e.get(in.name());
        for (int i = 0; i < s.length; i++) {
          min[i] = Math.min(min[i], s[i]);
          max[i] = Math.max(max[i], s[i]);
        }
      }
      dims.put(in.name(), new Dims(min, max, max));
    }
    return new OptimizationProfile(dims);
  }

  private static OptimizationProfile exact(List<TensorSpec> inputs, Map<String, long[]> example, boolean freeBatch) {
    Map<String, Dims> dims = new LinkedHashMap<>();
    for (TensorSpec in : inputs) {
      long[] s = example.get(in.name());
      long[] min = s.clone();
      if (freeBatch && min.length > 0 && in.hasRank() && in.shape()[0] < 0) {
        min[0] = 1;
      }
      dims.put(in.name(), new Dims(min, s, s));
    }
    return new OptimizationProfile(dims);
  }
}
