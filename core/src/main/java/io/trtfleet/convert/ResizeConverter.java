package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.onnx.OnnxGraphBuilder;
import java.util.List;

/**
 * ResizeBilinear and ResizeNearestNeighbor to ONNX Resize on the NCHW view, with TensorFlow's
 * coordinate rules: align_corners, half_pixel_centers (bilinear: half_pixel; nearest:
 * tf_half_pixel_for_nn) or neither (asymmetric, nearest rounding down).
 */
final class ResizeConverter implements OpConverter {

  @Override
  public void convert(Node node, ConversionContext ctx) {
    TensorValue x = ctx.in(node, 0);
    if (x.rank() != 4) {
      throw new UnsupportedNodeException(node, "input rank " + x.rank());
    }
    long[] size = ctx.constantInput(node, 1, "size").longs();
    boolean align = node.boolAttr("align_corners", false);
    boolean half = node.boolAttr("half_pixel_centers", false);
    boolean bilinear = node.op().equals("ResizeBilinear");
    String mode = align ? "align_corners" : half ? (bilinear ? "half_pixel" : "tf_half_pixel_for_nn") : "asymmetric";
    String nearest = align ? "round_prefer_ceil" : half ? "floor" : "floor";
    String in = ctx.view(x, Layout.NCHW);
    // sizes needs every dim; the batch and channel come from the input's own shape.
    String shape = ctx.onnx.node("Shape", List.of(in), node.name() + "/in_shape");
    String nc = ctx.onnx.node("Slice", List.of(shape, ctx.onnx.int64s(node.name() + "/s0", 0),
        ctx.onnx.int64s(node.name() + "/s1", 2)), node.name() + "/nc");
    String sizes = ctx.onnx.node("Concat", List.of(nc, ctx.onnx.int64s(node.name() + "/hw", size)),
        node.name() + "/sizes", OnnxGraphBuilder.attr("axis", 0L));
    String out = ctx.onnx.node("Resize", List.of(in, "", "", sizes), TensorRef.of(node.name(), 0).tensorName(),
        OnnxGraphBuilder.attr("mode", bilinear ? "linear" : "nearest"),
        OnnxGraphBuilder.attr("coordinate_transformation_mode", mode),
        bilinear ? null : OnnxGraphBuilder.attr("nearest_mode", nearest));
    ctx.define(node, 0, out, Layout.NCHW, ctx.computeType(x));
  }
}
