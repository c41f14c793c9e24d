package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.onnx.OnnxDataType;
import io.trtfleet.onnx.OnnxGraphBuilder;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Comparisons, logic and selection, the bool side of a graph (masks, {@code tf.where}, NaN guards):
 * Less/LessEqual/Greater/GreaterEqual/Equal/NotEqual, LogicalAnd/Or/Not, IsNan, IsFinite, Select and
 * SelectV2. Operands meet in the layout {@link BinaryConverter} would pick; results are ONNX BOOL.
 */
final class LogicConverter implements OpConverter {

  static final Map<String, String> COMPARISONS = Map.of("Less", "Less", "LessEqual", "LessOrEqual",
      "Greater", "Greater", "GreaterEqual", "GreaterOrEqual", "Equal", "Equal", "NotEqual", "Equal",
      "LogicalAnd", "And", "LogicalOr", "Or");
  static final Set<String> UNARY = Set.of("LogicalNot", "IsNan", "IsFinite");
  static final Set<String> SELECT = Set.of("Select", "SelectV2");

  @Override
  public void convert(Node node, ConversionContext ctx) {
    String name = TensorRef.of(node.name(), 0).tensorName();
    OnnxGraphBuilder onnx = ctx.onnx;
    if (COMPARISONS.containsKey(node.op())) {
      TensorValue a = ctx.in(node, 0);
      TensorValue b = ctx.in(node, 1);
      if (a.isConstant() && b.isConstant()) {
        throw new UnsupportedNodeException(node, "both inputs constant (fold constants before conversion)");
      }
      Layout layout = BinaryConverter.chooseLayout(a, b, node.output(0).rank());
      int type = a.isConstant() ? ctx.computeType(b) : ctx.computeType(a);
      List<String> in = List.of(ctx.view(a, layout, type), ctx.view(b, layout, type));
      String out = node.op().equals("NotEqual")
          ? onnx.node("Not", List.of(onnx.node("Equal", in, name + "_equal")), name)
          : onnx.node(COMPARISONS.get(node.op()), in, name);
      ctx.define(node, 0, out, layout, OnnxDataType.BOOL);
    } else if (UNARY.contains(node.op())) {
      TensorValue x = ctx.in(node, 0);
      Layout layout = x.layout();
      String in = ctx.view(x, layout);
      String out = switch (node.op()) {
        case "LogicalNot" -> onnx.node("Not", List.of(in), name);
        case "IsNan" -> onnx.node("IsNaN", List.of(in), name);
        default -> onnx.node("Not", List.of(onnx.node("Or", List.of(onnx.node("IsNaN", List.of(in), name + "_nan"),
            onnx.node("IsInf", List.of(in), name + "_inf")), name + "_not_finite")), name);
      };
      ctx.define(node, 0, out, layout, OnnxDataType.BOOL);
    } else if (SELECT.contains(node.op())) {
      select(node, ctx, name);
    } else {
      throw new UnsupportedNodeException(node, "not a logic op");
    }
  }

  /**
   * ONNX Where broadcasts like SelectV2. Select (V1) takes a vector condition that picks whole rows of a
   * higher-rank operand: it is unsqueezed to [n, 1, ...] first.
   */
  private static void select(Node node, ConversionContext ctx, String name) {
    TensorValue c = ctx.in(node, 0);
    TensorValue t = ctx.in(node, 1);
    TensorValue e = ctx.in(node, 2);
    int type = t.isConstant() ? ctx.computeType(e) : ctx.computeType(t);
    int rank = node.output(0).rank();
    if (rank < 0 || c.rank() < 0) {
      throw new UnsupportedNodeException(node, "needs known ranks");
    }
    String cond = ctx.view(c, Layout.AS_IS, OnnxDataType.BOOL);
    if (node.op().equals("Select") && c.rank() == 1 && rank > 1) {
      long[] axes = new long[rank - 1];
      for (int i = 0; i < axes.length; i++) {
        axes[i] = i + 1;
      }
      cond = ctx.onnx.node("Unsqueeze", List.of(cond, ctx.onnx.int64s(node.name() + "/rows", axes)), name + "_rows");
    }
    String out = ctx.onnx.node("Where", List.of(cond, ctx.view(t, Layout.AS_IS, type), ctx.view(e, Layout.AS_IS, type)),
        name);
    ctx.define(node, 0, out, Layout.AS_IS, type);
  }
}
