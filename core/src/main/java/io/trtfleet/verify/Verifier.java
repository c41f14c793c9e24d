package io.trtfleet.verify;

import io.trtfleet.convert.ConvertedSegment;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.graph.Signature;
import io.trtfleet.onnx.OnnxRunner;
import io.trtfleet.reference.ReferenceRunner;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs the original graph in TensorFlow and a whole-model ONNX conversion in ONNX Runtime on the same
 * batches and compares every signature output. With labels, also the top-1 accuracy of both.
 */
public final class Verifier implements AutoCloseable {

  /** One batch: inputs by signature key, and optional labels (one per row). */
  public record Batch(Map<String, HostTensor> inputs, int[] labels) {}

  /**
   * @param accuracy per classifier output, [reference top-1 accuracy, converted top-1 accuracy]
   *     (only with labels)
   */
  public record Result(Map<String, OutputComparison> outputs, long samples, Map<String, double[]> accuracy) {}

  private final FrozenGraph graph;
  private final ReferenceRunner reference;
  private final OnnxRunner onnx;
  private final Map<String, OutputComparison.Accumulator> comparisons = new LinkedHashMap<>();
  private final Map<String, long[]> correct = new LinkedHashMap<>();
  private long samples;
  private long labelled;

  public Verifier(FrozenGraph graph, ConvertedSegment wholeModel, int threads) {
    this.graph = graph;
    this.reference = new ReferenceRunner(graph, threads);
    this.onnx = new OnnxRunner(wholeModel.onnx(), threads);
    graph.signature().outputs().forEach(o -> comparisons.put(o.key(), new OutputComparison.Accumulator(o.key())));
  }

  public void add(Batch batch) {
    Map<String, HostTensor> expected = reference.runSignature(batch.inputs());
    Map<String, HostTensor> feeds = new LinkedHashMap<>();
    Signature sig = graph.signature();
    for (Signature.Argument a : sig.inputs()) {
      feeds.put(a.tensor().name(), batch.inputs().get(a.key()));
    }
    Map<String, HostTensor> actual = onnx.run(feeds);
    for (Signature.Argument o : sig.outputs()) {
      HostTensor e = expected.get(o.key());
      HostTensor a = actual.get(o.tensor().name());
      comparisons.get(o.key()).add(e, a);
      if (batch.labels() != null && e.shape().length == 2 && e.shape()[1] > 1) {
        long[] c = correct.computeIfAbsent(o.key(), k -> new long[2]);
        c[0] += hits(e, batch.labels());
        c[1] += hits(a, batch.labels());
      }
    }
    long rows = batch.inputs().values().iterator().next().shape()[0];
    samples += rows;
    if (batch.labels() != null) {
      labelled += rows;
    }
  }

  public Result result() {
    Map<String, OutputComparison> out = new LinkedHashMap<>();
    comparisons.forEach((k, acc) -> out.put(k, acc.result()));
    Map<String, double[]> accuracy = new LinkedHashMap<>();
    correct.forEach((k, c) -> accuracy.put(k, new double[] {(double) c[0] / labelled, (double) c[1] / labelled}));
    return new Result(out, samples, accuracy);
  }

  private static long hits(HostTensor t, int[] labels) {
    float[] v = t.floats();
    int classes = (int) t.shape()[1];
    long n = 0;
    for (int r = 0; r < labels.length; r++) {
      int best = 0;
      for (int i = 1; i < classes; i++) {
        if (v[r * classes + i] > v[r * classes + best]) {
          best = i;
        }
      }
      n += best == labels[r] ? 1 : 0;
    }
    return n;
  }

  @Override
  public void close() {
    try {
      onnx.close();
    } finally {
      reference.close();
    }
  }
}
