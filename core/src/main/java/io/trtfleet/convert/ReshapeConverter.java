package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import java.util.ArrayList;
import java.util.List;

/**
 * Reshape, Squeeze and ExpandDims: they depend on memory order, so they read the tensor in
 * TensorFlow's order (an NCHW activation is transposed back first, unless H and W are 1, when both
 * orders are the same bytes).
 */
final class ReshapeConverter implements OpConverter {

  @Override
  public void convert(Node node, ConversionContext ctx) {
    TensorValue x = ctx.in(node, 0);
    if (x.isConstant()) {
      throw new UnsupportedNodeException(node, "constant input (fold constants before conversion)");
    }
    String name = TensorRef.of(node.name(), 0).tensorName();
    if (node.op().equals("Reshape") && !ctx.in(node, 1).isConstant()) {
      // A shape computed in the graph (Shape/StridedSlice/Pack, as Keras' Flatten emits it).
      String out = ctx.onnx.node("Reshape", List.of(ctx.views.rowMajorView(x),
          ctx.view(ctx.in(node, 1), Layout.AS_IS, io.trtfleet.onnx.OnnxDataType.INT64)), name);
      ctx.define(node, 0, out, Layout.AS_IS, ctx.computeType(x));
      return;
    }
    long[] target = node.op().equals("Reshape") ? ctx.constantInput(node, 1, "target shape").longs()
        : reshapeTarget(node.output(0).shape());
    String out;
    if (target != null) {
      for (long d : target) {
        if (d == 0) {
          throw new UnsupportedNodeException(node, "zero-sized target dimension");
        }
      }
      // Memory order only: an NCHW value with H = W = 1 is read without a Transpose.
      out = ctx.onnx.node("Reshape", List.of(ctx.views.rowMajorView(x), ctx.onnx.int64s(node.name() + "/shape", target)),
          name);
    } else if (node.op().equals("Squeeze")) {
      out = ctx.onnx.node("Squeeze", List.of(ctx.view(x, Layout.AS_IS),
          ctx.onnx.int64s(node.name() + "/axes", squeezeAxes(node, x))), name);
    } else {
      long[] axis = ctx.constantInput(node, 1, "axis").longs();
      long a = axis[0] < 0 ? axis[0] + x.rank() + 1 : axis[0];
      out = ctx.onnx.node("Unsqueeze", List.of(ctx.view(x, Layout.AS_IS), ctx.onnx.int64s(node.name() + "/axes", a)),
          name);
    }
    ctx.define(node, 0, out, Layout.AS_IS, ctx.computeType(x));
  }

  /**
   * Squeeze and ExpandDims as a Reshape to the static output shape when at most one dim is unknown
   * (so they share Reshape's no-Transpose path); null otherwise.
   */
  private static long[] reshapeTarget(long[] outShape) {
    if (outShape == null || java.util.Arrays.stream(outShape).filter(d -> d < 0).count() > 1) {
      return null;
    }
    return outShape;
  }

  /** Squeeze's dims; when none are given, the size-1 dims of the static shape (never a dynamic batch). */
  private static long[] squeezeAxes(Node node, TensorValue x) {
    List<Long> dims = node.intListAttr("squeeze_dims");
    if (dims.isEmpty()) {
      dims = node.intListAttr("axis");
    }
    int rank = x.rank();
    if (!dims.isEmpty()) {
      return dims.stream().mapToLong(d -> d < 0 ? d + rank : d).sorted().toArray();
    }
    long[] shape = x.shape();
    List<Long> ones = new ArrayList<>();
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0) {
        throw new UnsupportedNodeException(node, "squeeze of all size-1 dims with unknown dims " + x.spec.shapeString());
      }
      if (shape[i] == 1) {
        ones.add((long) i);
      }
    }
    return ones.stream().mapToLong(Long::longValue).toArray();
  }
}
