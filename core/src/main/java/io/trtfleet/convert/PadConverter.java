package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.onnx.OnnxGraphBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * Pad, PadV2 and MirrorPad (REFLECT) with constant paddings, in the input's layout. A zero spatial Pad
 * read only by a convolution (or by a max pool over a ReLU output, where zeros never win) is folded
 * into that layer's own padding, as Keras' ZeroPadding2D before ResNet's first conv and pool: a separate
 * Pad would cost TensorRT a full read and write of the activation.
 */
final class PadConverter implements OpConverter {

  private static final java.util.Set<String> NON_NEGATIVE = java.util.Set.of("Relu", "Relu6");

  @Override
  public void convert(Node node, ConversionContext ctx) {
    TensorValue x = ctx.in(node, 0);
    if (x.isConstant()) {
      throw new UnsupportedNodeException(node, "constant input (fold constants before conversion)");
    }
    long[] p = ctx.constantInput(node, 1, "paddings").longs();
    int rank = x.rank();
    if (p.length != 2 * rank) {
      throw new UnsupportedNodeException(node, "paddings of " + p.length + " values for rank " + rank);
    }
    if (foldIntoReader(node, ctx, x, p)) {
      return;
    }
    String mode = "constant";
    if (node.op().equals("MirrorPad")) {
      String m = node.stringAttr("mode", "REFLECT");
      if (!m.equals("REFLECT")) {
        throw new UnsupportedNodeException(node, "MirrorPad mode " + m + " (ONNX has reflect only)");
      }
      mode = "reflect";
    }
    Layout layout = x.layout() == Layout.NCHW && rank == 4 ? Layout.NCHW : Layout.AS_IS;
    long[] pads = new long[2 * rank];
    for (int j = 0; j < rank; j++) {
      int src = layout == Layout.NCHW ? (int) Layout.TO_NCHW[j] : j;
      pads[j] = p[2 * src];
      pads[rank + j] = p[2 * src + 1];
    }
    int type = ctx.computeType(x);
    List<String> inputs = new ArrayList<>(List.of(ctx.view(x, layout, type), ctx.onnx.int64s(node.name() + "/pads", pads)));
    if (node.op().equals("PadV2")) {
      Constant c = ctx.constantInput(node, 2, "constant_values");
      float value = c.isFloat() ? c.floats()[0] : c.ints()[0];
      inputs.add(ctx.onnx.scalar(node.name() + "/value", value, type));
    }
    String out = ctx.onnx.node("Pad", inputs, TensorRef.of(node.name(), 0).tensorName(),
        OnnxGraphBuilder.attr("mode", mode));
    ctx.define(node, 0, out, layout, type);
  }

  private static boolean foldIntoReader(Node node, ConversionContext ctx, TensorValue x, long[] p) {
    if (node.op().equals("MirrorPad") || x.rank() != 4) {
      return false;
    }
    if (node.op().equals("PadV2")) {
      Constant c = ctx.constantInput(node, 2, "constant_values");
      if ((c.isFloat() ? c.floats()[0] : c.ints()[0]) != 0) {
        return false;
      }
    }
    Node reader = ctx.scope.soleConsumer(node).orElse(null);
    if (reader == null || !reader.dataInputs().get(0).node().equals(node.name())) {
      return false;
    }
    boolean conv = reader.op().equals("Conv2D") || reader.op().equals("DepthwiseConv2dNative");
    boolean maxPool = reader.op().equals("MaxPool")
        && NON_NEGATIVE.contains(ctx.graph.node(node.dataInputs().get(0).node()).op());
    if (!conv && !maxPool) {
      return false;
    }
    boolean nhwc = reader.stringAttr("data_format", "NHWC").equals("NHWC");
    int h = nhwc ? 1 : 2;
    int w = h + 1;
    for (int d = 0; d < 4; d++) {
      if (d != h && d != w && (p[2 * d] != 0 || p[2 * d + 1] != 0)) {
        return false; // padding batch or channels is not a layer's padding
      }
    }
    long[] shape = node.output(0).shape();
    if (reader.stringAttr("padding", "VALID").equals("SAME") && (shape[h] < 0 || shape[w] < 0)) {
      return false; // SAME over an unknown size becomes auto_pad, which cannot take extra pads
    }
    long[] pads = {p[2 * h], p[2 * w], p[2 * h + 1], p[2 * w + 1]};
    if (maxPool) {
      java.util.List<Long> k = reader.intListAttr("ksize");
      long kh = k.get(h);
      long kw = k.get(w);
      if (pads[0] >= kh || pads[2] >= kh || pads[1] >= kw || pads[3] >= kw) {
        return false; // ONNX pooling needs pads smaller than the window
      }
    }
    ctx.values.alias(node, 0, x);
    ctx.scope.foldPads(TensorRef.of(node.name(), 0).tensorName(), pads);
    ctx.notes.folded(node.name(), reader.name());
    return true;
  }
}
