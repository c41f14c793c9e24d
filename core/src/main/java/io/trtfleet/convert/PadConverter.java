package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.onnx.OnnxGraphBuilder;
import java.util.ArrayList;
import java.util.List;

/** Pad, PadV2 and MirrorPad (REFLECT) with constant paddings, in the input's layout. */
final class PadConverter implements OpConverter {

  @Override
  public void convert(Node node, ConversionContext ctx) {
    ConversionContext.Value x = ctx.in(node, 0);
    if (x.isConstant()) {
      throw new UnsupportedNodeException(node, "constant input (fold constants before conversion)");
    }
    long[] p = ctx.constantInput(node, 1, "paddings").longs();
    int rank = x.rank();
    if (p.length != 2 * rank) {
      throw new UnsupportedNodeException(node, "paddings of " + p.length + " values for rank " + rank);
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
}
