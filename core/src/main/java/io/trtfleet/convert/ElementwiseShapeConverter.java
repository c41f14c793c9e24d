package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.onnx.OnnxDataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Ops defined by an input's shape or several same-shaped inputs: ZerosLike and OnesLike (the value
 * expanded to the input's shape, in the input's layout, so NaNs in the input do not leak), IdentityN
 * (each output is its input) and AddN (ONNX Sum).
 */
final class ElementwiseShapeConverter implements OpConverter {

  static final Set<String> OPS = Set.of("ZerosLike", "OnesLike", "IdentityN", "AddN");

  @Override
  public void convert(Node node, ConversionContext ctx) {
    String name = TensorRef.of(node.name(), 0).tensorName();
    switch (node.op()) {
      case "ZerosLike", "OnesLike" -> {
        TensorValue x = ctx.in(node, 0);
        Layout layout = x.layout();
        int type = ctx.computeType(x);
        String fill = type == OnnxDataType.FLOAT || type == OnnxDataType.FLOAT16
            ? ctx.onnx.scalar(node.name() + "/value", node.op().equals("OnesLike") ? 1f : 0f, type)
            : scalarOfType(ctx, node, type, node.op().equals("OnesLike") ? 1 : 0);
        String shape = ctx.onnx.node("Shape", List.of(ctx.view(x, layout)), name + "_shape");
        ctx.define(node, 0, ctx.onnx.node("Expand", List.of(fill, shape), name), layout, type);
      }
      case "IdentityN" -> {
        for (int i = 0; i < node.dataInputs().size(); i++) {
          ctx.values.alias(node, i, ctx.in(node, i));
        }
      }
      case "AddN" -> {
        TensorValue first = ctx.in(node, 0);
        int type = ctx.computeType(first);
        List<String> in = new ArrayList<>();
        for (int i = 0; i < node.dataInputs().size(); i++) {
          in.add(ctx.view(ctx.in(node, i), Layout.AS_IS, type));
        }
        ctx.define(node, 0, ctx.onnx.node("Sum", in, name), Layout.AS_IS, type);
      }
      default -> throw new UnsupportedNodeException(node, "not an element-wise shape op");
    }
  }

  private static String scalarOfType(ConversionContext ctx, Node node, int type, long value) {
    java.nio.ByteBuffer b;
    switch (type) {
      case OnnxDataType.INT32 -> b = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN)
          .putInt((int) value);
      case OnnxDataType.INT64 -> b = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
          .putLong(value);
      case OnnxDataType.BOOL -> b = java.nio.ByteBuffer.allocate(1).put((byte) value);
      default -> throw new UnsupportedNodeException(node, "element type " + OnnxDataType.name(type));
    }
    return ctx.onnx.initializer(node.name() + "/value", type, new long[0], b.array());
  }
}
