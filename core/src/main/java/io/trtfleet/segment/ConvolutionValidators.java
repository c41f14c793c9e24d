package io.trtfleet.segment;

import static io.trtfleet.segment.Checks.OK;
import static io.trtfleet.segment.Checks.reject;

import io.trtfleet.graph.Node;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.proto.DataType;

/** Convolution, pooling, batch norm and resize: the image layers of CNNs. */
final class ConvolutionValidators {

  private ConvolutionValidators() {}

  static void register(Map<String, OpValidator> table) {
    OpValidator conv = Checks.dtype(Dtypes.FLOATS).and(Checks.dataFormat()).and(Checks.padding())
        .and(Checks.rank(0, 4)).and(Checks.constInput(1, "filter")).and(Checks.rank(1, 4))
        .and(Checks.unitOnBatchAndChannel("strides")).and(Checks.unitOnBatchAndChannel("dilations"));
    table.put("Conv2D", conv);
    table.put("DepthwiseConv2dNative", conv.and(ConvolutionValidators::depthwiseMultiplier));
    table.put("Conv2DBackpropInput", Checks.dtype(Dtypes.FLOATS).and(Checks.dataFormat())
        .and(Checks.padding()).and(Checks.constInputUnlessDynamic(0, "input_sizes"))
        .and(Checks.constInput(1, "filter")).and(Checks.rank(1, 4)).and(Checks.rank(2, 4))
        .and(Checks.unitOnBatchAndChannel("strides")).and(ConvolutionValidators::noDilation));
    OpValidator pool = Checks.dtype(Dtypes.FLOATS).and(Checks.dataFormat()).and(Checks.padding())
        .and(Checks.rank(0, 4)).and(Checks.unitOnBatchAndChannel("ksize"))
        .and(Checks.unitOnBatchAndChannel("strides"));
    table.put("MaxPool", pool);
    table.put("AvgPool", pool);
    OpValidator batchNorm = Checks.dtype(Dtypes.FLOATS).and(Checks.dataFormat()).and(Checks.rank(0, 4))
        .and(ConvolutionValidators::batchNormMode);
    table.put("FusedBatchNorm", batchNorm);
    table.put("FusedBatchNormV2", batchNorm);
    table.put("FusedBatchNormV3", batchNorm);
    OpValidator resize = Checks.dtype(Set.of(DataType.DT_FLOAT, DataType.DT_HALF, DataType.DT_INT32))
        .and(Checks.rank(0, 4)).and(Checks.constInputUnlessDynamic(1, "size"))
        .and(ConvolutionValidators::resizeMode);
    table.put("ResizeBilinear", resize);
    table.put("SpaceToBatchND", ConvolutionValidators::dilatedConvolution);
    table.put("BatchToSpaceND", ConvolutionValidators::dilatedConvolution);
    table.put("ResizeNearestNeighbor", resize);
  }

  private static Optional<String> depthwiseMultiplier(Node node,
      ValidationContext ctx) {
    long[] filter = ctx.input(node, 1).shape();
    return filter != null && filter[3] < 1 ? reject("channel multiplier must be known") : OK;
  }

  private static Optional<String> noDilation(Node node, ValidationContext ctx) {
    return node.intListAttr("dilations").stream().anyMatch(d -> d != 1)
        ? reject("dilations are not supported (conv2d_transpose with dilation)") : OK;
  }

  /**
   * Inference mode: constant statistics, scale and offset. Training mode (Keras' LayerNormalization):
   * this batch's statistics, over the batch dimension too, so dynamic shapes; scale and offset may be
   * computed; the statistics outputs must be unused.
   */
  private static Optional<String> batchNormMode(Node node, ValidationContext ctx) {
    if (!node.boolAttr("is_training", true)) {
      return Checks.constInput(1, "scale").and(Checks.constInput(2, "offset")).and(Checks.constInput(3, "mean"))
          .and(Checks.constInput(4, "variance")).validate(node, ctx);
    }
    if (ctx.implicitBatch()) {
      return reject("is_training=true (batch statistics, as Keras LayerNormalization computes) reduces over the"
          + " batch dimension: needs dynamic shapes");
    }
    for (String user : ctx.graph().consumers(node.name())) {
      if (ctx.graph().node(user).dataInputs().stream().anyMatch(r -> r.node().equals(node.name()) && r.index() > 0)) {
        return reject("is_training=true with its batch statistics read by '%s' is not supported", user);
      }
    }
    return OK;
  }

  /** SpaceToBatchND and BatchToSpaceND only as the two ends of a dilated convolution that converts. */
  private static Optional<String> dilatedConvolution(Node node, ValidationContext ctx) {
    var d = DilatedConvolution.around(ctx.graph(), node);
    if (d.isEmpty()) {
      return reject("only as part of a dilated convolution (SpaceToBatchND, VALID convolution, BatchToSpaceND"
          + " with constant block, paddings and crops)");
    }
    return OpSupport.get().check(d.get().convolution(), ctx).map(r -> "its dilated convolution: " + r);
  }

  private static Optional<String> resizeMode(Node node, ValidationContext ctx) {
    return node.boolAttr("align_corners", false) && node.boolAttr("half_pixel_centers", false)
        ? reject("align_corners and half_pixel_centers together are not supported") : OK;
  }
}
