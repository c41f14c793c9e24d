package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.onnx.OnnxDataType;
import io.trtfleet.onnx.OnnxGraphBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * Inference-mode FusedBatchNorm that could not be folded into a convolution: ONNX BatchNormalization on
 * the channels-first view, in FP32 (normalization stays FP32 under FP16, as TensorRT advises).
 */
final class BatchNormConverter implements OpConverter {

  @Override
  public void convert(Node node, ConversionContext ctx) {
    if (node.boolAttr("is_training", true)) {
      throw new UnsupportedNodeException(node, "is_training=true (training-mode batch statistics)");
    }
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
    List<String> inputs = new ArrayList<>(List.of(ctx.view(x, layout, OnnxDataType.FLOAT)));
    for (int i = 1; i <= 4; i++) {
      Constant c = ctx.constantInput(node, i, "batch norm parameter");
      inputs.add(ctx.onnx.floats(node.name() + "/p" + i, c.shape(), c.floats(), OnnxDataType.FLOAT));
    }
    String out = ctx.onnx.node("BatchNormalization", inputs, TensorRef.of(node.name(), 0).tensorName(),
        OnnxGraphBuilder.attr("epsilon", node.floatAttr("epsilon", 1e-4f)));
    ctx.notes.keptInFp32(node, "normalization statistics need FP32 range");
    ctx.define(node, 0, out, layout, OnnxDataType.FLOAT);
  }
}
