package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.onnx.OnnxDataType;
import io.trtfleet.onnx.OnnxGraphBuilder;
import java.util.List;

/**
 * Softmax and LogSoftmax over the last axis, always computed in FP32 (TensorRT keeps Softmax in FP32
 * in mixed precision). On an NCHW activation the last TensorFlow axis is C, i.e. ONNX axis 1.
 */
final class SoftmaxConverter implements OpConverter {

  @Override
  public void convert(Node node, ConversionContext ctx) {
    TensorValue x = ctx.in(node, 0);
    Layout layout = x.layout() == Layout.NCHW && x.rank() == 4 ? Layout.NCHW : Layout.AS_IS;
    long axis = layout == Layout.NCHW ? 1 : -1;
    String in = ctx.view(x, layout, OnnxDataType.FLOAT);
    String out = ctx.onnx.node(node.op().equals("LogSoftmax") ? "LogSoftmax" : "Softmax", List.of(in),
        TensorRef.of(node.name(), 0).tensorName(), OnnxGraphBuilder.attr("axis", axis));
    ctx.notes.keptInFp32(node, "exponentials and their sum overflow or lose precision in FP16");
    ctx.define(node, 0, out, layout, OnnxDataType.FLOAT);
  }
}
