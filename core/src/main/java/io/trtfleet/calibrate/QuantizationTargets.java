package io.trtfleet.calibrate;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.DataType;

/**
 * Which tensors get an INT8 scale: the activation inputs of the layers TensorRT runs in INT8
 * (convolutions and matrix multiplies), as its Q/DQ placement guidance asks, plus any extra tensors the
 * caller names (segment inputs). Constant inputs are weights: they get per-channel ranges instead.
 */
public final class QuantizationTargets {

  /** Op to the indices of its inputs that are activations worth quantizing. */
  static final Map<String, List<Integer>> QUANTIZED_INPUTS = Map.of(
      "Conv2D", List.of(0),
      "DepthwiseConv2dNative", List.of(0),
      "Conv2DBackpropInput", List.of(2),
      "MatMul", List.of(0, 1),
      "BatchMatMulV2", List.of(0, 1),
      "BatchMatMul", List.of(0, 1),
      "Einsum", List.of(0, 1));

  private QuantizationTargets() {}

  /** Float activation tensors feeding convolutions and matmuls, in graph order, without duplicates. */
  public static List<String> activations(FrozenGraph graph) {
    Set<String> out = new LinkedHashSet<>();
    for (Node n : graph.nodes()) {
      List<Integer> inputs = QUANTIZED_INPUTS.get(n.op());
      if (inputs == null) {
        continue;
      }
      List<TensorRef> data = n.dataInputs();
      for (int i : inputs) {
        if (i < data.size()) {
          TensorRef ref = data.get(i);
          Node producer = graph.node(ref.node());
          if (!producer.op().equals("Const") && producer.output(ref.index()).dtype() == DataType.DT_FLOAT) {
            out.add(ref.tensorName());
          }
        }
      }
    }
    return List.copyOf(out);
  }
}
