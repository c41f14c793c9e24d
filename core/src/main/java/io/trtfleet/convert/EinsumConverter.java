package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.onnx.OnnxGraphBuilder;
import java.util.ArrayList;
import java.util.List;

/** Einsum: TensorFlow and ONNX share numpy's equation syntax, so the equation carries over as is. */
final class EinsumConverter implements OpConverter {

  @Override
  public void convert(Node node, ConversionContext ctx) {
    String equation = node.stringAttr("equation", "");
    if (equation.isEmpty()) {
      throw new UnsupportedNodeException(node, "no equation");
    }
    List<String> inputs = new ArrayList<>();
    int type = -1;
    for (int i = 0; i < node.dataInputs().size(); i++) {
      TensorValue v = ctx.in(node, i);
      if (type < 0 && !v.isConstant()) {
        type = ctx.computeType(v);
      }
    }
    int t = type < 0 ? ctx.floatType() : type;
    for (int i = 0; i < node.dataInputs().size(); i++) {
      // No Q/DQ: TensorRT's einsum layer has no INT8 path, and Q/DQ around it would only add reformats.
      inputs.add(ctx.view(ctx.in(node, i), Layout.AS_IS, t));
    }
    String out = ctx.onnx.node("Einsum", inputs, TensorRef.of(node.name(), 0).tensorName(),
        OnnxGraphBuilder.attr("equation", equation));
    ctx.define(node, 0, out, Layout.AS_IS, t);
  }
}
