package io.trtfleet.verify;

import io.trtfleet.convert.ConvertedSegment;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.graph.ModelRunner;
import io.trtfleet.graph.Signature;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.onnx.OnnxRunner;
import io.trtfleet.reference.ReferenceRunner;
import io.trtfleet.segment.Segment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the original graph in TensorFlow and a converted segment (ONNX Runtime or a TensorRT engine) on
 * the same batches and compares every segment output. TensorFlow also computes the segment's inputs,
 * so a segment in the middle of a graph sees exactly what it would in the converted model. Outputs
 * that are signature outputs are keyed by their signature key (tensor name otherwise); with labels, a
 * classifier output also gets the top-1 accuracy of both.
 */
public final class Verifier implements AutoCloseable {

  /** One batch: inputs by signature key, and optional labels (one per row). */
  public record Batch(Map<String, HostTensor> inputs, int[] labels) implements java.io.Serializable {}

  /**
   * @param accuracy per classifier output, [reference top-1 accuracy, converted top-1 accuracy]
   *     (only with labels)
   */
  public record Result(Map<String, OutputComparison> outputs, long samples, Map<String, double[]> accuracy) {}

  private final FrozenGraph graph;
  private final Segment segment;
  private final ReferenceRunner reference;
  private final ModelRunner converted;
  private final Map<String, String> outputKeys = new LinkedHashMap<>();
  private final Map<String, OutputComparison.Accumulator> comparisons = new LinkedHashMap<>();
  private final Map<String, long[]> correct = new LinkedHashMap<>();
  private long samples;
  private long labelled;

  /** A whole-model ONNX conversion run by ONNX Runtime on the CPU. */
  public Verifier(FrozenGraph graph, ConvertedSegment wholeModel, int threads) {
    this(graph, wholeModel.segment(), new OnnxRunner(wholeModel.onnx(), threads), threads);
  }

  /** Any converted segment; the verifier closes {@code converted}. */
  public Verifier(FrozenGraph graph, Segment segment, ModelRunner converted, int threads) {
    this.graph = graph;
    this.segment = segment;
    this.reference = new ReferenceRunner(graph, threads);
    this.converted = converted;
    Map<String, String> signatureKeys = new LinkedHashMap<>();
    graph.signature().outputs().forEach(o -> signatureKeys.put(o.tensor().name(), o.key()));
    for (TensorSpec out : segment.outputs()) {
      String key = signatureKeys.getOrDefault(out.name(), out.name());
      outputKeys.put(out.name(), key);
      comparisons.put(key, new OutputComparison.Accumulator(key));
    }
  }

  public void add(Batch batch) {
    Map<String, HostTensor> feeds = new LinkedHashMap<>();
    for (Signature.Argument a : graph.signature().inputs()) {
      feeds.put(a.tensor().name(), batch.inputs().get(a.key()));
    }
    Set<String> fed = feeds.keySet();
    List<String> fetches = new ArrayList<>(outputKeys.keySet());
    segment.inputs().stream().map(TensorSpec::name).filter(n -> !fed.contains(n)).forEach(fetches::add);
    Map<String, HostTensor> expected = reference.run(feeds, fetches);
    Map<String, HostTensor> segmentFeeds = new LinkedHashMap<>();
    for (TensorSpec in : segment.inputs()) {
      segmentFeeds.put(in.name(), fed.contains(in.name()) ? feeds.get(in.name()) : expected.get(in.name()));
    }
    Map<String, HostTensor> actual = converted.run(segmentFeeds);
    outputKeys.forEach((tensor, key) -> {
      HostTensor e = expected.get(tensor);
      HostTensor a = actual.get(tensor);
      if (a == null) {
        throw new IllegalStateException("converted segment " + segment.name() + " has no output " + tensor
            + " (it has " + actual.keySet() + ")");
      }
      comparisons.get(key).add(e, a);
      if (batch.labels() != null && e.shape().length == 2 && e.shape()[1] > 1) {
        long[] c = correct.computeIfAbsent(key, k -> new long[2]);
        c[0] += top1Hits(e, batch.labels());
        c[1] += top1Hits(a, batch.labels());
      }
    });
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

  /** Rows whose arg-max over a [rows, classes] output equals the label. */
  public static long top1Hits(HostTensor t, int[] labels) {
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
      converted.close();
    } finally {
      reference.close();
    }
  }
}
