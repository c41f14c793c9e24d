package io.trtfleet.convert;

import io.trtfleet.onnx.OnnxDataType;
import io.trtfleet.onnx.proto.Onnx.AttributeProto;
import io.trtfleet.onnx.proto.Onnx.NodeProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Types a quantized convolution FP32, in a model that is FP16 between layers, when what it writes leaves the
 * model only as FP32: through shape-only ops into Casts to FP32 (a classifier feeding FP32 logits and a
 * Softmax). Its DequantizeLinears and bias read FP32 copies and the Casts become Identities, so TensorRT's
 * INT8 convolution writes FP32 itself, as its implicit INT8 does for ResNet's classifier, instead of writing
 * FP16 that cast kernels then widen. FP16 values widen exactly; the outputs are what they were, with FP32
 * instead of FP16 rounding of the convolution's result.
 */
final class FloatOutputTyping {

  /** Ops that pass their first input on unchanged in value (the others are shapes or axes). */
  private static final Set<String> SHAPE_OPS = Set.of("Flatten", "Reshape", "Squeeze", "Unsqueeze", "Identity");

  private FloatOutputTyping() {}

  /** Marks each such convolution's changes in {@code t}; returns the convolutions it types FP32. */
  static List<String> mark(Fp32Retyping t) {
    List<String> convolutions = new ArrayList<>();
    for (NodeProto conv : t.nodes()) {
      if (!t.quantizedHalfConvolution(conv)) {
        continue;
      }
      List<NodeProto> casts = new ArrayList<>();
      if (!onlyCastToFloat(t, conv.getOutput(0), casts)) {
        continue;
      }
      t.widenConvolution(conv);
      casts.forEach(c -> t.replace(c, NodeProto.newBuilder().setName(c.getName()).setOpType("Identity")
          .addInput(c.getInput(0)).addOutput(c.getOutput(0)).build()));
      convolutions.add(conv.getName());
    }
    return List.copyOf(convolutions);
  }

  /**
   * Whether every path from {@code value} runs through shape-only ops into a Cast to FP32 (collected in {@code
   * casts}), with no model output on the way.
   */
  private static boolean onlyCastToFloat(Fp32Retyping t, String value, List<NodeProto> casts) {
    List<NodeProto> readers = t.readers(value);
    if (readers.isEmpty() || t.graphOutput(value)) {
      return false;
    }
    for (NodeProto r : readers) {
      if (r.getOpType().equals("Cast") && castsToFloat(r)) {
        casts.add(r);
      } else if (!SHAPE_OPS.contains(r.getOpType()) || !r.getInput(0).equals(value)
          || r.getInputList().subList(1, r.getInputCount()).contains(value)
          || !onlyCastToFloat(t, r.getOutput(0), casts)) {
        return false;
      }
    }
    return true;
  }

  private static boolean castsToFloat(NodeProto cast) {
    return cast.getAttributeList().stream().filter(a -> a.getName().equals("to")).mapToLong(AttributeProto::getI)
        .anyMatch(to -> to == OnnxDataType.FLOAT);
  }
}
