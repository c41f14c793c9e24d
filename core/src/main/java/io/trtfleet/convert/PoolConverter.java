package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.onnx.OnnxGraphBuilder;
import java.util.List;

/** MaxPool and AvgPool (attribute form) to ONNX MaxPool / AveragePool on the NCHW view. */
final class PoolConverter implements OpConverter {

  @Override
  public void convert(Node node, ConversionContext ctx) {
    Spatial sp = Spatial.of(node);
    TensorValue x = ctx.in(node, 0);
    if (x.rank() != 4) {
      throw new UnsupportedNodeException(node, "input rank " + x.rank() + " (needs 4)");
    }
    long[] kernel = Spatial.hw(node, "ksize", sp.nhwc);
    long[] pads = sp.pads(node, x.shape(), kernel);
    long[] folded = ctx.scope.foldedPads(x);
    if (pads != null) {
      for (int i = 0; i < 4; i++) {
        pads[i] += folded[i];
      }
    }
    boolean max = node.op().startsWith("MaxPool");
    Layout layout = sp.channelsFirst();
    String out = ctx.onnx.node(max ? "MaxPool" : "AveragePool", List.of(ctx.view(x, layout)),
        TensorRef.of(node.name(), 0).tensorName(),
        OnnxGraphBuilder.ints("kernel_shape", kernel),
        OnnxGraphBuilder.ints("strides", sp.strides),
        pads == null ? OnnxGraphBuilder.attr("auto_pad", "SAME_UPPER") : OnnxGraphBuilder.ints("pads", pads),
        // TensorFlow's AvgPool divides by the number of real (unpadded) inputs in each window.
        max ? null : OnnxGraphBuilder.attr("count_include_pad", 0L));
    ctx.define(node, 0, out, layout, ctx.computeType(x));
  }
}
