package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.onnx.OnnxGraphBuilder;
import java.util.List;
import java.util.Map;

/**
 * Element-wise activations and math: keep whatever layout and type their input has (so they never
 * cause a Transpose), and map one to one (Relu6 to Clip, Rsqrt to Reciprocal(Sqrt), Square to Mul).
 */
final class UnaryConverter implements OpConverter {

  static final Map<String, String> DIRECT = Map.ofEntries(
      Map.entry("Relu", "Relu"), Map.entry("Sigmoid", "Sigmoid"), Map.entry("Tanh", "Tanh"),
      Map.entry("Elu", "Elu"), Map.entry("Selu", "Selu"), Map.entry("Softplus", "Softplus"),
      Map.entry("Abs", "Abs"), Map.entry("Neg", "Neg"), Map.entry("Exp", "Exp"), Map.entry("Log", "Log"),
      Map.entry("Sqrt", "Sqrt"), Map.entry("Reciprocal", "Reciprocal"), Map.entry("Inv", "Reciprocal"),
      Map.entry("Floor", "Floor"), Map.entry("Ceil", "Ceil"), Map.entry("Erf", "Erf"),
      Map.entry("LeakyRelu", "LeakyRelu"));
  static final List<String> OPS = List.of("Relu", "Relu6", "Sigmoid", "Tanh", "Elu", "Selu", "Softplus", "Abs",
      "Neg", "Exp", "Log", "Sqrt", "Rsqrt", "Reciprocal", "Inv", "Square", "Floor", "Ceil", "Erf", "LeakyRelu");

  @Override
  public void convert(Node node, ConversionContext ctx) {
    TensorValue x = ctx.in(node, 0);
    if (x.isConstant()) {
      throw new UnsupportedNodeException(node, "constant input (fold constants before conversion)");
    }
    Layout layout = x.layout();
    int type = ctx.computeType(x);
    String in = ctx.view(x, layout, type);
    String name = TensorRef.of(node.name(), 0).tensorName();
    String out = switch (node.op()) {
      case "Relu6" -> ctx.onnx.node("Clip", List.of(in, ctx.onnx.scalar(node.name() + "/min", 0f, type),
          ctx.onnx.scalar(node.name() + "/max", 6f, type)), name);
      case "Rsqrt" -> ctx.onnx.node("Reciprocal", List.of(ctx.onnx.node("Sqrt", List.of(in), name + "_sqrt")), name);
      case "Square" -> ctx.onnx.node("Mul", List.of(in, in), name);
      case "LeakyRelu" -> ctx.onnx.node("LeakyRelu", List.of(in), name,
          OnnxGraphBuilder.attr("alpha", node.floatAttr("alpha", 0.2f)));
      // TensorFlow's Selu constants (tf.nn.selu), which differ from ONNX's defaults in the last digits.
      case "Selu" -> ctx.onnx.node("Selu", List.of(in), name,
          OnnxGraphBuilder.attr("alpha", 1.6732632423543772f), OnnxGraphBuilder.attr("gamma", 1.0507009873554805f));
      default -> ctx.onnx.node(DIRECT.get(node.op()), List.of(in), name);
    };
    ctx.define(node, 0, out, layout, type);
  }
}
