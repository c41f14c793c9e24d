package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.onnx.OnnxDataType;
import io.trtfleet.onnx.OnnxGraphBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * FusedBatchNorm that could not be folded into a convolution, on the channels-first view, in FP32
 * (normalization stays FP32 under FP16, as TensorRT advises).
 *
 * <ul>
 *   <li>Inference mode: ONNX BatchNormalization with the constant statistics.
 *   <li>Training mode ({@code is_training=true}), what Keras' LayerNormalization lowers to (the input
 *       reshaped to [1, rows, features, 1] NCHW, scale and offset ones and zeros of the row count): the
 *       statistics of this batch over every axis but the channel's, (x - mean) / sqrt(var + eps), then
 *       scale and offset, which may be tensors. The batch statistics outputs must be unused.
 * </ul>
 */
final class BatchNormConverter implements OpConverter {

  @Override
  public void convert(Node node, ConversionContext ctx) {
    for (String user : ctx.graph.consumers(node.name())) {
      if (ctx.graph.node(user).dataInputs().stream().anyMatch(r -> r.node().equals(node.name()) && r.index() != 0)) {
        throw new UnsupportedNodeException(node, "its batch statistics outputs are read by " + user);
      }
    }
    TensorValue x = ctx.in(node, 0);
    if (x.rank() != 4) {
      throw new UnsupportedNodeException(node, "input rank " + x.rank());
    }
    boolean nhwc = node.stringAttr("data_format", "NHWC").equals("NHWC");
    Layout layout = nhwc ? Layout.NCHW : Layout.AS_IS;
    String in = ctx.view(x, layout, OnnxDataType.FLOAT);
    float epsilon = node.floatAttr("epsilon", 1e-4f);
    String name = TensorRef.of(node.name(), 0).tensorName();
    String out = node.boolAttr("is_training", true) ? training(node, ctx, in, epsilon, name)
        : inference(node, ctx, in, epsilon, name);
    ctx.notes.keptInFp32(node, "normalization statistics need FP32 range");
    ctx.define(node, 0, out, layout, OnnxDataType.FLOAT);
  }

  private static String inference(Node node, ConversionContext ctx, String in, float epsilon, String name) {
    List<String> inputs = new ArrayList<>(List.of(in));
    for (int i = 1; i <= 4; i++) {
      Constant c = ctx.constantInput(node, i, "batch norm parameter");
      inputs.add(ctx.onnx.floats(node.name() + "/p" + i, c.shape(), c.floats(), OnnxDataType.FLOAT));
    }
    return ctx.onnx.node("BatchNormalization", inputs, name, OnnxGraphBuilder.attr("epsilon", epsilon));
  }

  /** Batch statistics over N, H, W of the NCHW view; scale and offset broadcast as [C, 1, 1]. */
  private static String training(Node node, ConversionContext ctx, String in, float epsilon, String name) {
    var onnx = ctx.onnx;
    String axes = onnx.int64s(node.name() + "/axes", 0, 2, 3);
    String mean = onnx.node("ReduceMean", List.of(in, axes), name + "_mean", OnnxGraphBuilder.attr("keepdims", 1L));
    String centered = onnx.node("Sub", List.of(in, mean), name + "_centered");
    String variance = onnx.node("ReduceMean", List.of(onnx.node("Mul", List.of(centered, centered), name + "_sq"), axes),
        name + "_var", OnnxGraphBuilder.attr("keepdims", 1L));
    String std = onnx.node("Sqrt", List.of(onnx.node("Add", List.of(variance,
        onnx.scalar(node.name() + "/epsilon", epsilon, OnnxDataType.FLOAT)), name + "_var_eps")), name + "_std");
    String normalized = onnx.node("Div", List.of(centered, std), name + "_normalized");
    String scaled = onnx.node("Mul", List.of(normalized, channelVector(node, ctx, 1, "scale")), name + "_scaled");
    return onnx.node("Add", List.of(scaled, channelVector(node, ctx, 2, "offset")), name);
  }

  /** Scale or offset ([C], constant or computed) as [C, 1, 1], broadcasting over an NCHW tensor. */
  private static String channelVector(Node node, ConversionContext ctx, int input, String what) {
    TensorValue v = ctx.in(node, input);
    if (v.isConstant()) {
      Constant c = v.constant;
      if (!c.isFloat()) {
        throw new UnsupportedNodeException(node, what + " is not a float tensor");
      }
      return ctx.onnx.floats(node.name() + "/" + what, new long[] {c.size(), 1, 1}, c.floats(), OnnxDataType.FLOAT);
    }
    return ctx.onnx.node("Unsqueeze", List.of(ctx.view(v, Layout.AS_IS, OnnxDataType.FLOAT),
        ctx.onnx.int64s(node.name() + "/" + what + "_axes", 1, 2)), TensorRef.of(node.name(), 0) + "_" + what);
  }
}
