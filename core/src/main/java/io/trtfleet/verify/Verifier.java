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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the original graph in TensorFlow and converted segments (ONNX Runtime or TensorRT engines) on the
 * same batches and compares every segment output. TensorFlow computes each segment's inputs during one
 * native run of the whole model per batch, so a segment in the middle of a graph (after a string parser, a
 * lookup, a loop) sees exactly what it would in the converted model. Outputs that are signature outputs are
 * keyed by their signature key (tensor name otherwise); with labels, a classifier output also gets the
 * top-1 accuracy of both.
 */
public final class Verifier implements AutoCloseable {

  /**
   * One batch: inputs by signature key, optional labels (one per row), and its number of samples (rows
   * of the batch dimension; 1 for a model without one).
   */
  public record Batch(Map<String, HostTensor> inputs, int[] labels, long rows) implements java.io.Serializable {

    /** Rows from the labels, or the leading dimension of the first input that has one. */
    public Batch(Map<String, HostTensor> inputs, int[] labels) {
      this(inputs, labels, labels != null ? labels.length : inputs.values().stream()
          .filter(t -> t.shape().length > 0).mapToLong(t -> t.shape()[0]).findFirst().orElse(1));
    }
  }

  /**
   * @param outputs every compared output, over all segments
   * @param accuracy per classifier output, [reference top-1 accuracy, converted top-1 accuracy]
   *     (only with labels)
   * @param segments segment name to the comparisons of its outputs, for every segment that was compared
   * @param unverified segment name to why TensorFlow could not compute its inputs or outputs (an op this
   *     TensorFlow has no kernel for upstream of it, say): the segments not compared
   */
  public record Result(Map<String, OutputComparison> outputs, long samples, Map<String, double[]> accuracy,
      Map<String, Map<String, OutputComparison>> segments, Map<String, String> unverified) {

    /** A result of outputs alone (one segment, or gates tested without a run). */
    public Result(Map<String, OutputComparison> outputs, long samples, Map<String, double[]> accuracy) {
      this(outputs, samples, accuracy, Map.of(), Map.of());
    }

    /** Largest absolute error over a segment's outputs (NaN when one is NaN). */
    public double maxAbsError(String segment) {
      return segments.get(segment).values().stream().mapToDouble(OutputComparison::maxAbsError)
          .reduce(0, (a, b) -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b));
    }

    /** Largest relative RMS error over a segment's outputs. */
    public double relativeRmsError(String segment) {
      return segments.get(segment).values().stream().mapToDouble(OutputComparison::relativeRmsError)
          .reduce(0, (a, b) -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b));
    }
  }

  private record Converted(Segment segment, ModelRunner runner, Map<String, String> outputKeys) {}

  private final FrozenGraph graph;
  /** TensorFlow, run per batch; null when the reference values were recorded before. */
  private final ReferenceRunner reference;
  private final RecordedReference recorded;
  private final List<Converted> converted = new ArrayList<>();
  private final Map<String, OutputComparison.Accumulator> comparisons = new LinkedHashMap<>();
  private final Map<String, long[]> correct = new LinkedHashMap<>();
  private final Map<String, String> unverified = new LinkedHashMap<>();
  /** True once TensorFlow failed to compute every segment's tensors in one run: then segment by segment. */
  private boolean bySegment;
  private long samples;
  private long labelled;

  /** A whole-model ONNX conversion run by ONNX Runtime on the CPU. */
  public Verifier(FrozenGraph graph, ConvertedSegment wholeModel, int threads) {
    this(graph, wholeModel.segment(), new OnnxRunner(wholeModel.onnx(), threads), threads);
  }

  /** Any converted segment; the verifier closes {@code converted}. */
  public Verifier(FrozenGraph graph, Segment segment, ModelRunner converted, int threads) {
    this(graph, Map.of(segment, converted), threads);
  }

  /** Several segments of one graph, each with its runner (in map order); the verifier closes them. */
  public Verifier(FrozenGraph graph, Map<Segment, ModelRunner> segments, int threads) {
    this(graph, segments, new ReferenceRunner(graph, threads), null);
  }

  /**
   * Segments compared against TensorFlow values recorded before, on the recorded batches only: TensorFlow
   * does not run again (many conversions of the same segments, one reference run).
   */
  public Verifier(Map<Segment, ModelRunner> segments, RecordedReference recorded) {
    this(recorded.graph(), segments, null, recorded);
  }

  private Verifier(FrozenGraph graph, Map<Segment, ModelRunner> segments, ReferenceRunner reference,
      RecordedReference recorded) {
    this.graph = graph;
    this.reference = reference;
    this.recorded = recorded;
    Map<String, String> signatureKeys = new LinkedHashMap<>();
    graph.signature().outputs().forEach(o -> signatureKeys.put(o.tensor().name(), o.key()));
    Set<String> classScores = ClassScores.of(graph);
    segments.forEach((segment, runner) -> {
      Map<String, String> keys = new LinkedHashMap<>();
      for (TensorSpec out : segment.outputs()) {
        String key = signatureKeys.getOrDefault(out.name(), out.name());
        keys.put(out.name(), key);
        comparisons.put(key, new OutputComparison.Accumulator(key, classScores.contains(out.name())));
      }
      converted.add(new Converted(segment, runner, keys));
    });
  }

  public void add(Batch batch) {
    Map<String, HostTensor> feeds = feeds(graph, batch);
    Map<String, HostTensor> expected = recorded != null ? recorded.values(batch, unverified) : expected(feeds);
    for (Converted c : converted) {
      if (!unverified.containsKey(c.segment().name())) {
        compare(c, batch, feeds, expected);
      }
    }
    samples += batch.rows();
    if (batch.labels() != null) {
      labelled += batch.rows();
    }
  }

  /** A batch's inputs keyed by the graph's tensor names; a signature input the data lacks is a user error. */
  static Map<String, HostTensor> feeds(FrozenGraph graph, Batch batch) {
    Map<String, HostTensor> feeds = new LinkedHashMap<>();
    for (Signature.Argument a : graph.signature().inputs()) {
      HostTensor t = batch.inputs().get(a.key());
      if (t == null) {
        throw new io.trtfleet.TrtfleetException("the data has no values for signature input '" + a.key()
            + "' (it has " + batch.inputs().keySet() + ")");
      }
      feeds.put(a.tensor().name(), t);
    }
    return feeds;
  }

  /** TensorFlow's values of every segment's outputs and computed inputs; segments it cannot compute go to unverified. */
  private Map<String, HostTensor> expected(Map<String, HostTensor> feeds) {
    Set<String> fed = feeds.keySet();
    Set<String> fetches = new LinkedHashSet<>();
    if (converted.isEmpty()) {  // nothing to compare: the model still runs, which checks the data fits it
      graph.signature().outputs().forEach(o -> fetches.add(o.tensor().name()));
    }
    converted.forEach(c -> fetches.addAll(fetches(c.segment(), fed)));
    Map<String, HostTensor> expected = null;
    if (!bySegment) {
      try {
        expected = reference.run(feeds, List.copyOf(fetches));
      } catch (io.trtfleet.TrtfleetException e) {
        if (converted.size() < 2) {
          throw e;
        }
        bySegment = true;
      }
    }
    if (bySegment) {
      // Part of the model does not run here: each segment whose inputs and outputs still compute is compared.
      expected = new LinkedHashMap<>();
      for (Converted c : converted) {
        try {
          if (!unverified.containsKey(c.segment().name())) {
            expected.putAll(reference.run(feeds, List.copyOf(fetches(c.segment(), fed))));
          }
        } catch (io.trtfleet.TrtfleetException segmentError) {
          unverified.putIfAbsent(c.segment().name(), segmentError.getMessage());
        }
      }
    }
    return expected;
  }

  /** What TensorFlow computes for a segment: its outputs and the inputs the batch does not feed. */
  static Set<String> fetches(Segment segment, Set<String> fed) {
    Set<String> fetches = new LinkedHashSet<>();
    segment.outputs().forEach(o -> fetches.add(o.name()));
    segment.inputs().stream().map(TensorSpec::name).filter(n -> !fed.contains(n)).forEach(fetches::add);
    return fetches;
  }

  private void compare(Converted c, Batch batch, Map<String, HostTensor> feeds, Map<String, HostTensor> expected) {
    Map<String, HostTensor> segmentFeeds = new LinkedHashMap<>();
    for (TensorSpec in : c.segment().inputs()) {
      segmentFeeds.put(in.name(), feeds.containsKey(in.name()) ? feeds.get(in.name()) : expected.get(in.name()));
    }
    Map<String, HostTensor> actual = c.runner().run(segmentFeeds);
    c.outputKeys().forEach((tensor, key) -> {
      HostTensor e = expected.get(tensor);
      HostTensor a = actual.get(tensor);
      if (a == null) {
        throw new IllegalStateException("converted segment " + c.segment().name() + " has no output " + tensor
            + " (it has " + actual.keySet() + ")");
      }
      comparisons.get(key).add(e, a);
      if (batch.labels() != null && e.shape().length == 2 && e.shape()[1] > 1) {
        long[] hits = correct.computeIfAbsent(key, k -> new long[2]);
        hits[0] += top1Hits(e, batch.labels());
        hits[1] += top1Hits(a, batch.labels());
      }
    });
  }

  public Result result() {
    Map<String, OutputComparison> out = new LinkedHashMap<>();
    Map<String, Map<String, OutputComparison>> bySegment = new LinkedHashMap<>();
    for (Converted c : converted) {
      if (unverified.containsKey(c.segment().name())) {
        continue;
      }
      c.outputKeys().values().forEach(k -> out.put(k, comparisons.get(k).result()));
    }
    for (Converted c : converted) {
      if (unverified.containsKey(c.segment().name())) {
        continue;
      }
      Map<String, OutputComparison> m = new LinkedHashMap<>();
      c.outputKeys().values().forEach(k -> m.put(k, out.get(k)));
      bySegment.put(c.segment().name(), m);
    }
    Map<String, double[]> accuracy = new LinkedHashMap<>();
    correct.forEach((k, c) -> accuracy.put(k, new double[] {(double) c[0] / labelled, (double) c[1] / labelled}));
    return new Result(out, samples, accuracy, bySegment, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(unverified)));
  }

  /** Rows whose arg-max over a [rows, classes] output equals the label. */
  public static long top1Hits(HostTensor t, int[] labels) {
    double[] v = t.asDoubles();
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
      for (Converted c : converted) {
        c.runner().close();
      }
    } finally {
      if (reference != null) {
        reference.close();
      }
    }
  }
}
