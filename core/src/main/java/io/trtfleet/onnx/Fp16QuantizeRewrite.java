package io.trtfleet.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import io.trtfleet.onnx.proto.Onnx.GraphProto;
import io.trtfleet.onnx.proto.Onnx.ModelProto;
import io.trtfleet.onnx.proto.Onnx.NodeProto;
import io.trtfleet.onnx.proto.Onnx.TensorProto;
import java.util.HashMap;
import java.util.Map;

/**
 * Works around ONNX Runtime's CPU QuantizeLinear for float16 input, which truncates x / scale toward
 * zero instead of rounding to nearest even (microsoft/onnxruntime#18576, #22741; fixed upstream after
 * 1.29): each such QuantizeLinear reads its input cast to FP32 and an FP32 copy of its scale. Both
 * conversions are exact, so the result is what the ONNX spec (and TensorRT) computes for the
 * original node. Only the copy ONNX Runtime runs is rewritten, never the exported model.
 */
public final class Fp16QuantizeRewrite {

  private Fp16QuantizeRewrite() {}

  /** The model with every float16 QuantizeLinear computed in FP32, or the same bytes when none. */
  public static byte[] apply(byte[] model) {
    ModelProto m;
    try {
      m = ModelProto.parseFrom(model);
    } catch (InvalidProtocolBufferException e) {
      return model; // ONNX Runtime will report what is wrong with it
    }
    ModelProto out = apply(m);
    return out == m ? model : out.toByteArray();
  }

  /** The model with every float16 QuantizeLinear computed in FP32, or the same model when none. */
  public static ModelProto apply(ModelProto m) {
    GraphProto g = m.getGraph();
    Map<String, TensorProto> halfScales = new HashMap<>();
    for (TensorProto t : g.getInitializerList()) {
      if (t.getDataType() == OnnxDataType.FLOAT16 && t.hasRawData()) {
        halfScales.put(t.getName(), t);
      }
    }
    boolean any = g.getNodeList().stream()
        .anyMatch(n -> n.getOpType().equals("QuantizeLinear") && halfScales.containsKey(n.getInput(1)));
    if (!any) {
      return m;
    }
    GraphProto.Builder out = g.toBuilder().clearNode();
    Map<String, String> fp32Scale = new HashMap<>();
    int i = 0;
    for (NodeProto n : g.getNodeList()) {
      if (n.getOpType().equals("QuantizeLinear") && halfScales.containsKey(n.getInput(1))) {
        String scale = fp32Scale.computeIfAbsent(n.getInput(1), s -> {
          String name = s + "__fp32";
          out.addInitializer(Half.widened(halfScales.get(s), name));
          return name;
        });
        String x = n.getInput(0) + "__fp32_" + i++;
        out.addNode(NodeProto.newBuilder().setOpType("Cast").setName("cast:" + x).addInput(n.getInput(0))
            .addOutput(x).addAttribute(OnnxGraphBuilder.attr("to", (long) OnnxDataType.FLOAT)));
        out.addNode(n.toBuilder().setInput(0, x).setInput(1, scale));
      } else {
        out.addNode(n);
      }
    }
    return m.toBuilder().setGraph(out).build();
  }
}
