package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import java.util.List;
import java.util.Map;

/**
 * Broadcasting element-wise ops. The layout follows the operands: two rank-4 activations meet in NCHW
 * if either already is (residual adds stay in NCHW); a constant is re-laid out to NCHW (a [C] bias
 * becomes [1,C,1,1]) instead of moving the activation; any other mix is computed as is.
 * Under INT8, a residual add gets Q/DQ on its residual input only ({@code calibrate.ResidualAdds}), so
 * TensorRT fuses conv + add + ReLU (+ the next Q) into one INT8 kernel.
 */
final class BinaryConverter implements OpConverter {

  static final Map<String, String> OPS = Map.of("Add", "Add", "AddV2", "Add", "Sub", "Sub", "Mul", "Mul",
      "RealDiv", "Div", "Maximum", "Max", "Minimum", "Min", "Pow", "Pow", "SquaredDifference", "Sub");

  @Override
  public void convert(Node node, ConversionContext ctx) {
    TensorValue a = ctx.in(node, 0);
    TensorValue b = ctx.in(node, 1);
    if (a.isConstant() && b.isConstant()) {
      throw new UnsupportedNodeException(node, "both inputs constant (fold constants before conversion)");
    }
    Layout layout = chooseLayout(a, b, node.output(0).rank());
    int type = a.isConstant() ? ctx.computeType(b) : ctx.computeType(a);
    String left = ctx.view(a, layout, type);
    String right = ctx.view(b, layout, type);
    if (ctx.precision().quantized() && ctx.quantizer.residualAdds().isResidual(node)) {
      List<io.trtfleet.graph.TensorRef> quantized = ctx.quantizer.residualAdds().quantizedInputs(node);
      if (quantized.contains(node.dataInputs().get(0))) {
        left = ctx.activation(a, layout, node);
      }
      if (quantized.contains(node.dataInputs().get(1))) {
        right = ctx.activation(b, layout, node);
      }
    }
    String name = TensorRef.of(node.name(), 0).tensorName();
    String out;
    if (node.op().equals("SquaredDifference")) {
      String d = ctx.onnx.node("Sub", List.of(left, right), name + "_diff");
      out = ctx.onnx.node("Mul", List.of(d, d), name);
    } else {
      out = ctx.onnx.node(OPS.get(node.op()), List.of(left, right), name);
    }
    ctx.define(node, 0, out, layout, type);
  }

  static Layout chooseLayout(TensorValue a, TensorValue b, int outRank) {
    if (outRank != 4) {
      return Layout.AS_IS;
    }
    boolean aNchw = !a.isConstant() && a.rank() == 4 && a.layout() == Layout.NCHW;
    boolean bNchw = !b.isConstant() && b.rank() == 4 && b.layout() == Layout.NCHW;
    if (!aNchw && !bNchw) {
      return Layout.AS_IS;
    }
    // Every operand must be expressible in NCHW: rank-4 activations (transposed once if needed) or
    // constants of rank <= 4 (re-laid out at conversion time).
    boolean aOk = a.isConstant() ? a.rank() <= 4 : a.rank() == 4;
    boolean bOk = b.isConstant() ? b.rank() <= 4 : b.rank() == 4;
    return aOk && bOk ? Layout.NCHW : Layout.AS_IS;
  }
}
