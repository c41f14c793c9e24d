package io.trtfleet.quantize;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a residual add (two rank-4 activations) gets Q/DQ, following TensorRT's placement guidance:
 * only on the <em>residual</em> input. The other input comes straight from a convolution, which
 * TensorRT fuses with the add (and the ReLU and the next Q) into one INT8 kernel; a Q/DQ on that input
 * would break the fusion and leave a separate element-wise kernel per block.
 */
public final class ResidualAdds {

  private static final Set<String> WEIGHTED = Set.of("Conv2D", "DepthwiseConv2dNative", "MatMul");
  /** Ops the converter folds into the weights of the layer before them (bias, batch norm, scale). */
  private static final Set<String> EPILOGUE = Set.of("BiasAdd", "FusedBatchNorm", "FusedBatchNormV2",
      "FusedBatchNormV3", "Add", "AddV2", "Sub", "Mul");

  private final FrozenGraph graph;
  private final Map<String, Integer> depth = new HashMap<>();

  public ResidualAdds(FrozenGraph graph) {
    this.graph = graph;
  }

  /** True when {@code node} adds two non-constant rank-4 tensors. */
  public boolean isResidual(Node node) {
    List<TensorRef> in = node.dataInputs();
    return (node.op().equals("Add") || node.op().equals("AddV2")) && in.size() == 2
        && !isConst(in.get(0)) && !isConst(in.get(1))
        && graph.tensor(in.get(0)).rank() == 4 && graph.tensor(in.get(1)).rank() == 4;
  }

  /**
   * The inputs of a residual add that get Q/DQ: the one not produced by a convolution; when both are
   * (a projection shortcut), the shallower one, since the main branch's last convolution is the one
   * that fuses with the add; when neither is, both (an INT8 add).
   */
  public List<TensorRef> quantizedInputs(Node add) {
    TensorRef a = add.dataInputs().get(0);
    TensorRef b = add.dataInputs().get(1);
    boolean wa = fromWeightedLayer(a);
    boolean wb = fromWeightedLayer(b);
    if (wa && wb) {
      return List.of(depth(a.node()) <= depth(b.node()) ? a : b);
    }
    if (wa) {
      return List.of(b);
    }
    if (wb) {
      return List.of(a);
    }
    return List.of(a, b);
  }

  /** True when the tensor is a convolution's or MatMul's output, possibly through folded epilogue ops. */
  boolean fromWeightedLayer(TensorRef ref) {
    Node n = graph.node(ref.node());
    while (true) {
      if (WEIGHTED.contains(n.op())) {
        return true;
      }
      if (!EPILOGUE.contains(n.op()) || n.dataInputs().isEmpty()) {
        return false;
      }
      List<TensorRef> in = n.dataInputs();
      boolean affine = n.op().startsWith("FusedBatchNorm") || in.stream().skip(1).allMatch(this::isConst);
      if (!affine || isConst(in.get(0))) {
        return false;
      }
      n = graph.node(in.get(0).node());
    }
  }

  /** Longest path (in nodes) from a graph source to {@code name}. */
  private int depth(String name) {
    Integer known = depth.get(name);
    if (known != null) {
      return known;
    }
    // Iterative post-order: ResNet-sized graphs are fine recursively, 10,000-node chains are not.
    java.util.ArrayDeque<String> stack = new java.util.ArrayDeque<>();
    stack.push(name);
    while (!stack.isEmpty()) {
      String top = stack.peek();
      if (depth.containsKey(top)) {
        stack.pop();
        continue;
      }
      int best = 0;
      boolean ready = true;
      for (TensorRef r : graph.node(top).dataInputs()) {
        Integer d = depth.get(r.node());
        if (d == null) {
          stack.push(r.node());
          ready = false;
        } else {
          best = Math.max(best, d);
        }
      }
      if (ready) {
        depth.put(top, best + 1);
        stack.pop();
      }
    }
    return depth.get(name);
  }

  private boolean isConst(TensorRef r) {
    return graph.node(r.node()).op().equals("Const");
  }
}
