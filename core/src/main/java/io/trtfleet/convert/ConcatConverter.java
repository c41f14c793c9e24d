package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.onnx.OnnxGraphBuilder;
import java.util.ArrayList;
import java.util.List;

/** ConcatV2 (axis as the last input). Rank-4 inputs already in NCHW are joined in NCHW. */
final class ConcatConverter implements OpConverter {

  @Override
  public void convert(Node node, ConversionContext ctx) {
    int n = node.dataInputs().size() - 1;
    long axis = ctx.constantInput(node, n, "axis").longs()[0];
    int rank = node.output(0).rank();
    if (axis < 0) {
      axis += rank;
    }
    List<TensorValue> parts = new ArrayList<>();
    boolean anyNchw = false;
    for (int i = 0; i < n; i++) {
      TensorValue v = ctx.in(node, i);
      parts.add(v);
      anyNchw |= !v.isConstant() && v.layout() == Layout.NCHW;
    }
    Layout layout = anyNchw && rank == 4 ? Layout.NCHW : Layout.AS_IS;
    int type = ctx.computeType(parts.stream().filter(v -> !v.isConstant()).findFirst().orElse(parts.get(0)));
    List<String> inputs = new ArrayList<>();
    for (TensorValue v : parts) {
      if (v.isConstant() && v.rank() != rank) {
        throw new UnsupportedNodeException(node, "constant part of rank " + v.rank());
      }
      inputs.add(ctx.view(v, layout, type));
    }
    long onnxAxis = layout == Layout.NCHW ? Layout.NHWC_AXIS_IN_NCHW[(int) axis] : axis;
    String out = ctx.onnx.node("Concat", inputs, TensorRef.of(node.name(), 0).tensorName(),
        OnnxGraphBuilder.attr("axis", onnxAxis));
    ctx.define(node, 0, out, layout, type);
  }
}
