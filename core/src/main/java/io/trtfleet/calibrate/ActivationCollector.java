package io.trtfleet.calibrate;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.quantize.CalibrationCollector;
import io.trtfleet.quantize.HistogramSet;
import io.trtfleet.quantize.NonFiniteActivationException;
import io.trtfleet.reference.ReferenceRunner;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the FP32 reference on calibration batches and feeds the tensors to be quantized into
 * histograms. Two passes over the data: {@link #ranges} (max |x| per tensor, merged by max) fixes
 * every tensor's bin width before {@link #accumulate} counts, which is what makes distributed
 * results exact. One collector per thread or Spark task.
 */
public final class ActivationCollector implements CalibrationCollector {

  private final ReferenceRunner runner;
  private final List<String> tensors;

  public ActivationCollector(FrozenGraph graph, List<String> tensors, int threads) {
    this.runner = new ReferenceRunner(graph, threads);
    this.tensors = List.copyOf(tensors);
  }

  /**
   * Max |x| of each tensor over the first {@code valid} samples of a batch (inputs keyed by graph
   * tensor name, e.g. images:0). Batches are padded to one size so that every sample goes through the
   * same kernels whatever rows share its batch; the padding rows are ignored here.
   */
  @Override
  public Map<String, Float> ranges(Map<String, HostTensor> feeds, int valid) {
    Map<String, Float> ranges = new HashMap<>();
    runner.run(feeds, tensors).forEach((t, v) -> {
      float[] values = v.floats();
      float m = 0f;
      for (int i = 0, n = validElements(v, valid); i < n; i++) {
        float x = values[i];
        if (!Float.isFinite(x)) {
          throw new NonFiniteActivationException(t, x);
        }
        m = Math.max(m, Math.abs(x));
      }
      ranges.put(t, m);
    });
    return ranges;
  }

  /** Counts the first {@code valid} samples of a batch into histograms made from the merged ranges. */
  @Override
  public void accumulate(Map<String, HostTensor> feeds, int valid, HistogramSet into) {
    runner.run(feeds, tensors).forEach((t, v) -> into.get(t).add(v.floats(), 0, validElements(v, valid)));
    into.addSamples(valid);
  }

  /** Nothing to do: {@link #accumulate} counts before it returns. */
  @Override
  public void flush() {}

  private static int validElements(HostTensor activation, int valid) {
    long[] shape = activation.shape();
    if (shape.length == 0 || shape[0] == 0) {
      return (int) activation.elementCount();
    }
    return (int) (activation.elementCount() / shape[0] * valid);
  }

  /** Merges per-batch ranges: the larger max wins, so the result does not depend on order. */
  public static Map<String, Float> mergeRanges(Map<String, Float> a, Map<String, Float> b) {
    Map<String, Float> m = new HashMap<>(a);
    b.forEach((t, v) -> m.merge(t, v, Math::max));
    return m;
  }

  @Override
  public String device() {
    return "cpu";
  }

  @Override
  public void close() {
    runner.close();
  }
}
