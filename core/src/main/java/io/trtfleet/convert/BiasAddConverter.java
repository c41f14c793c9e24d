package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import java.util.List;

/** A BiasAdd that could not be folded into a preceding layer: Add of the bias along the channel axis. */
final class BiasAddConverter implements OpConverter {

  @Override
  public void convert(Node node, ConversionContext ctx) {
    TensorValue x = ctx.in(node, 0);
    TensorValue bias = ctx.in(node, 1);
    boolean nhwc = node.stringAttr("data_format", "NHWC").equals("NHWC");
    if (!nhwc && x.rank() != 4) {
      throw new UnsupportedNodeException(node, "NCHW BiasAdd of rank " + x.rank());
    }
    int type = ctx.computeType(x);
    String name = TensorRef.of(node.name(), 0).tensorName();
    String out;
    Layout layout;
    if (!nhwc) {
      // Bias along axis 1 of a channels-first TensorFlow tensor: reshape it to [C,1,1].
      layout = Layout.AS_IS;
      String b = ctx.onnx.node("Reshape", List.of(ctx.view(bias, Layout.AS_IS, type),
          ctx.onnx.int64s(node.name() + "/bias_shape", -1, 1, 1)), name + "_bias");
      out = ctx.onnx.node("Add", List.of(ctx.view(x, layout, type), b), name);
    } else {
      layout = x.rank() == 4 && x.layout() == Layout.NCHW ? Layout.NCHW : Layout.AS_IS;
      out = ctx.onnx.node("Add", List.of(ctx.view(x, layout, type), ctx.view(bias, layout, type)), name);
    }
    ctx.define(node, 0, out, layout, type);
  }
}
