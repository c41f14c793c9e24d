package io.trtfleet.report;

import io.trtfleet.graph.TensorSpec;
import io.trtfleet.segment.Dtypes;
import io.trtfleet.segment.Rejection;
import io.trtfleet.segment.Segment;
import io.trtfleet.segment.SegmentedGraph;
import io.trtfleet.segment.SegmenterOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the conversion reports say, computed once from a {@link SegmentedGraph}: one row per engine,
 * the nodes left to TensorFlow grouped by op type and reason, and the totals.
 *
 * <p>Counting follows TF-TRT's {@code summary()}: every node of the frozen graph counts (signature
 * inputs, Consts, the signature's output Identity nodes included); a node counts as converted when an
 * engine owns it. A Const that an engine copies in but that also feeds TensorFlow ops counts once, as not
 * converted (TF-TRT counts the copy again inside the engine). The extra line "convertible" leaves out
 * the signature's input and output nodes, which never go into an engine.
 */
public record ConversionReport(String model, String signature, SegmenterOptions options, List<Engine> engines,
    List<NotConverted> notConverted, int opsConverted, int opsTotal, int opsConvertible) {

  public ConversionReport {
    engines = List.copyOf(engines);
    notConverted = List.copyOf(notConverted);
  }

  /** One engine: its tensors and the op types it owns. */
  public record Engine(String name, List<String> nodes, List<String> copiedConstants, List<TensorSpec> inputs,
      List<TensorSpec> outputs, Map<String, Integer> opCounts) {

    public int ownedNodes() {
      return nodes.size() - copiedConstants.size();
    }
  }

  /** Nodes of one op type left to TensorFlow for one reason. */
  public record NotConverted(String opType, String reason, List<String> nodes) {
    public int count() {
      return nodes.size();
    }
  }

  public static ConversionReport of(String model, SegmentedGraph s) {
    List<Engine> engines = new ArrayList<>();
    for (Segment seg : s.segments()) {
      engines.add(new Engine(seg.name(), seg.nodes(), s.copiedConstants(seg.name()), seg.inputs(), seg.outputs(),
          s.opCounts(seg)));
    }
    Map<String, Map<String, List<String>>> byOp = new java.util.TreeMap<>();
    for (Rejection r : s.notConverted()) {
      byOp.computeIfAbsent(r.op(), k -> new LinkedHashMap<>())
          .computeIfAbsent(r.reason(), k -> new ArrayList<>()).add(r.node());
    }
    List<NotConverted> groups = new ArrayList<>();
    byOp.forEach((op, reasons) -> reasons.forEach((reason, nodes) -> groups.add(new NotConverted(op, reason, nodes))));
    return new ConversionReport(model, s.graph().signature().key(), s.options(), engines, groups,
        s.convertedNodes(), s.totalNodes(), s.convertibleNodes());
  }

  public double percentConverted() {
    return opsTotal == 0 ? 0 : 100.0 * opsConverted / opsTotal;
  }

  public double percentOfConvertibleConverted() {
    return opsConvertible == 0 ? 0 : 100.0 * opsConverted / opsConvertible;
  }

  /** {@code ['float32', 'int32']}, as TF-TRT prints dtype lists. */
  static String dtypes(List<TensorSpec> tensors) {
    return tensors.stream().map(t -> "'" + Dtypes.name(t.dtype()) + "'")
        .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
  }

  /** {@code [[-1, 28, 28, 1]]}, as TF-TRT prints shape lists. */
  static String shapes(List<TensorSpec> tensors) {
    return tensors.stream().map(t -> t.shape() == null ? "None" : java.util.Arrays.stream(t.shape())
        .mapToObj(Long::toString).collect(java.util.stream.Collectors.joining(", ", "[", "]")))
        .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
  }
}
