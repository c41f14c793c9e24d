package io.trtfleet.convert;

import static io.trtfleet.onnx.OnnxGraphBuilder.attr;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.trtfleet.onnx.OnnxChecker;
import io.trtfleet.onnx.OnnxDataType;
import io.trtfleet.onnx.OnnxGraphBuilder;
import io.trtfleet.onnx.proto.Onnx.ModelProto;
import io.trtfleet.onnx.proto.Onnx.NodeProto;
import io.trtfleet.onnx.proto.Onnx.TensorProto;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A quantized FP16 convolution -> Flatten -> Cast to FP32 -> output is typed FP32 ({@link FloatOutputTyping});
 * anything else that reads its FP16 result on the way keeps it FP16.
 */
class FloatOutputTypingTest {

  private enum Tail { CAST_TO_FLOAT, CONV_IS_AN_OUTPUT_TOO, RELU_READS_IT_TOO, CAST_TO_HALF, RESHAPE_BY_ITSELF }

  @Test
  void convFeedingOnlyACastToFloatWritesFp32AndTheCastGoes() {
    Fp32Retyping t = new Fp32Retyping(model(Tail.CAST_TO_FLOAT));
    assertEquals(List.of("n:y"), FloatOutputTyping.mark(t));
    ModelProto m = t.apply();
    Map<String, Integer> types = m.getGraph().getInitializerList().stream()
        .collect(Collectors.toMap(TensorProto::getName, TensorProto::getDataType));
    Map<String, NodeProto> byOutput = m.getGraph().getNodeList().stream()
        .collect(Collectors.toMap(n -> n.getOutput(0), n -> n));
    NodeProto conv = byOutput.get("y");
    assertEquals(OnnxDataType.FLOAT, types.get(byOutput.get(conv.getInput(0)).getInput(1)), "input scale of the DQ");
    assertEquals(OnnxDataType.FLOAT16, types.get(byOutput.get("xq").getInput(1)), "the Q still reads FP16");
    assertEquals(OnnxDataType.FLOAT, types.get(byOutput.get(conv.getInput(1)).getInput(1)), "weight scales");
    assertEquals(OnnxDataType.FLOAT, types.get(conv.getInput(2)), "bias");
    assertEquals("Identity", byOutput.get("out_float").getOpType());
    assertEquals(null, types.get("w_scale"), "the FP16 original nothing reads any more went");
    OnnxChecker.check(m.toByteArray());
  }

  @Test
  void anyOtherFp16ReaderOrAnFp16OutputKeepsTheConvFp16() {
    for (Tail tail : List.of(Tail.CONV_IS_AN_OUTPUT_TOO, Tail.RELU_READS_IT_TOO, Tail.CAST_TO_HALF,
        Tail.RESHAPE_BY_ITSELF)) {
      ModelProto m = model(tail);
      Fp32Retyping t = new Fp32Retyping(m);
      assertEquals(List.of(), FloatOutputTyping.mark(t), tail.name());
      assertEquals(m, t.apply(), tail + ": the same model");
    }
  }

  /** x (FP16) -> Q/DQ -> Conv (INT8 weights, FP16 scales and bias) -> Flatten -> the tail. */
  private static ModelProto model(Tail tail) {
    int half = OnnxDataType.FLOAT16;
    OnnxGraphBuilder b = new OnnxGraphBuilder("t");
    b.input("x", half, new long[] {1, 2, 1, 1}, new String[4]);
    String sx = b.scalar("x_scale", 0.1f, half);
    String zp = b.initializer("x_zero_point", OnnxDataType.INT8, new long[0], new byte[] {0});
    b.reserve("xq");
    b.nodeWithOutputs("QuantizeLinear", List.of("x", sx, zp), List.of("xq"));
    String xd = b.node("DequantizeLinear", List.of("xq", sx, zp), "xd");
    String w = b.int8s("w", new long[] {3, 2, 1, 1}, new byte[] {1, 2, 3, 4, 5, 6});
    String sw = b.floats("w_scale", new long[] {3}, new float[] {0.1f, 0.2f, 0.3f}, half);
    String zw = b.initializer("w_zero_point", OnnxDataType.INT8, new long[] {3}, new byte[3]);
    String wd = b.node("DequantizeLinear", List.of(w, sw, zw), "wd", attr("axis", 0L));
    String bias = b.floats("bias", new long[] {3}, new float[] {0.5f, -0.5f, 1f}, half);
    b.reserve("y");
    b.nodeWithOutputs("Conv", List.of(xd, wd, bias), List.of("y"));
    String f = tail == Tail.RESHAPE_BY_ITSELF ? b.node("Reshape", List.of("y", "y"), "f")
        : b.node("Flatten", List.of("y"), "f", attr("axis", 1L));
    boolean toHalf = tail == Tail.CAST_TO_HALF;
    b.reserve("out_float");
    b.nodeWithOutputs("Cast", List.of(f), List.of("out_float"), attr("to", (long) (toHalf ? half : OnnxDataType.FLOAT)));
    b.reserve("out");
    b.nodeWithOutputs("Identity", List.of("out_float"), List.of("out"));
    b.output("out", toHalf ? half : OnnxDataType.FLOAT, new long[] {1, 3}, new String[2]);
    if (tail == Tail.CONV_IS_AN_OUTPUT_TOO) {
      b.output("y", half, new long[] {1, 3, 1, 1}, new String[4]);
    }
    if (tail == Tail.RELU_READS_IT_TOO) {
      b.output(b.node("Relu", List.of(f), "relu"), half, new long[] {1, 3}, new String[2]);
    }
    return b.build("test", Map.of());
  }
}
