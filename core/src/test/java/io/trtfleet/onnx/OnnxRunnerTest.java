package io.trtfleet.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.graph.HostTensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OnnxRunnerTest {

  /** x -> Cast(type) -> Q(scale 0.5) -> DQ -> Cast(float): fake quantization in {@code type}. */
  private static byte[] fakeQuant(int type) {
    OnnxGraphBuilder b = new OnnxGraphBuilder("fake_quant");
    b.input("x", OnnxDataType.FLOAT, new long[] {-1}, new String[] {"n"});
    String x = b.node("Cast", List.of("x"), "x_cast", OnnxGraphBuilder.attr("to", (long) type));
    String s = b.scalar("scale", 0.5f, type);
    String zp = b.int8s("zero_point", new long[0], new byte[] {0});
    String q = b.node("QuantizeLinear", List.of(x, s, zp), "q");
    String dq = b.node("DequantizeLinear", List.of(q, s, zp), "dq");
    b.nodeWithOutputs("Cast", List.of(dq), List.of("y"), OnnxGraphBuilder.attr("to", (long) OnnxDataType.FLOAT));
    b.output("y", OnnxDataType.FLOAT, new long[] {-1}, null);
    byte[] model = b.build("test", Map.of()).toByteArray();
    OnnxChecker.check(model);
    return model;
  }

  @Test
  void quantizeRoundsToNearestEvenInFp32AndFp16() {
    float[] in = {0.1f, 0.3f, 0.6f, 0.74f, 0.76f, 1.25f, -0.3f, -0.74f, 0.25f, 0.75f, 100f};
    // x / 0.5 rounded half to even, saturated to 127, times 0.5
    float[] expected = {0f, 0.5f, 0.5f, 0.5f, 1f, 1f, -0.5f, -0.5f, 0f, 1f, 63.5f};
    for (int type : new int[] {OnnxDataType.FLOAT, OnnxDataType.FLOAT16}) {
      try (OnnxRunner ort = new OnnxRunner(fakeQuant(type), 1)) {
        HostTensor y = ort.run(Map.of("x", HostTensor.ofFloats(new long[] {in.length}, in))).get("y");
        assertArrayEquals(expected, y.floats(), OnnxDataType.name(type));
      }
    }
  }

  @Test
  void refusesMissingInputs() {
    try (OnnxRunner ort = new OnnxRunner(fakeQuant(OnnxDataType.FLOAT), 1)) {
      assertEquals(List.of("x"), ort.inputNames());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ort.run(Map.of()));
      assertTrue(e.getMessage().contains("input 'x' not fed"), e.getMessage());
    }
  }

  @Test
  void halfRoundsToNearestEven() {
    assertEquals(1f, Half.round(1f));
    assertEquals(65504f, Half.round(65504f));
    assertEquals(Float.POSITIVE_INFINITY, Half.round(70000f));
    assertEquals(2048f, Half.round(2049f), "tie to even");
    assertEquals(2052f, Half.round(2051f), "tie to even");
    assertEquals(5.9604645e-8f, Half.round(5.9604645e-8f), "smallest subnormal");
    assertEquals(0.33325195f, Half.round(1f / 3));
    assertTrue(Float.isNaN(Half.round(Float.NaN)));
  }
}
