package io.trtfleet.quantize;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.segment.Segment;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The tensors whose calibrated scales the INT8 Q/DQ policies use, i.e. what calibration must measure:
 * the activation inputs of Conv2D, DepthwiseConv2dNative and MatMul, the residual input of residual
 * adds ({@link ResidualAdds}) and the input of global average pools ({@link GlobalAveragePools}),
 * following TensorRT's Q/DQ placement guidance.
 */
public final class QuantizationTargets {

  private QuantizationTargets() {}

  /** Targets anywhere in the graph (calibration runs before the build picks its segments). */
  public static List<String> of(FrozenGraph graph) {
    return of(graph, graph.nodes().stream().map(Node::name).toList());
  }

  /** Targets inside one segment. TensorFlow tensor names ({@code node:index}) in graph order. */
  public static List<String> of(FrozenGraph graph, Segment segment) {
    return of(graph, segment.nodes());
  }

  private static List<String> of(FrozenGraph graph, List<String> within) {
    Set<String> nodes = Set.copyOf(within);
    Set<String> targets = new LinkedHashSet<>();
    ResidualAdds residualAdds = new ResidualAdds(graph);
    for (Node n : graph.nodes()) {
      if (!nodes.contains(n.name())) {
        continue;
      }
      List<TensorRef> in = n.dataInputs();
      switch (n.op()) {
        case "Conv2D", "DepthwiseConv2dNative" -> targets.add(in.get(0).tensorName());
        case "MatMul" -> {
          for (TensorRef r : in) {
            if (!isConst(graph, r)) {
              targets.add(r.tensorName());
            }
          }
        }
        case "Add", "AddV2" -> {
          if (residualAdds.isResidual(n)) {
            residualAdds.quantizedInputs(n).forEach(r -> targets.add(r.tensorName()));
          }
        }
        case "Mean" -> {
          if (GlobalAveragePools.is(graph, n)) {
            targets.add(in.get(0).tensorName());
          }
        }
        default -> { }
      }
    }
    return List.copyOf(targets);
  }

  private static boolean isConst(FrozenGraph graph, TensorRef r) {
    return graph.node(r.node()).op().equals("Const");
  }
}
