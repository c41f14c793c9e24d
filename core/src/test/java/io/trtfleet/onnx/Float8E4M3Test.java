package io.trtfleet.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.graph.HostTensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** FP8 E4M3FN encoding: the bit patterns of the format, and the same rounding as ONNX Runtime's QuantizeLinear. */
class Float8E4M3Test {

  @Test
  void encodesTheFormatsLandmarks() {
    assertEquals(0x00, Float8E4M3.fromFloat(0f) & 0xff);
    assertEquals(0x80, Float8E4M3.fromFloat(-0f) & 0xff);
    assertEquals(0x38, Float8E4M3.fromFloat(1f) & 0xff, "exponent 7 (bias), mantissa 0");
    assertEquals(0xb8, Float8E4M3.fromFloat(-1f) & 0xff);
    assertEquals(0x7e, Float8E4M3.fromFloat(448f) & 0xff, "largest finite");
    assertEquals(0x7e, Float8E4M3.fromFloat(1e6f) & 0xff, "saturates, never NaN");
    assertEquals(0xfe, Float8E4M3.fromFloat(-500f) & 0xff);
    assertEquals(0x7f, Float8E4M3.fromFloat(Float.NaN) & 0x7f, "NaN is S.1111.111");
    assertEquals(0x01, Float8E4M3.fromFloat(0x1p-9f) & 0xff, "smallest subnormal");
    assertEquals(0x08, Float8E4M3.fromFloat(0x1p-6f) & 0xff, "smallest normal");
    assertEquals(0f, Float8E4M3.round(0x1p-10f), "half the smallest subnormal ties to even zero");
    assertEquals(0x1p-8f, Float8E4M3.round(3 * 0x1p-10f), "1.5 steps ties to even 2 steps");
    assertEquals(1f, Float8E4M3.round(1.0625f), "halfway between 1 and 1.125 ties to even 1");
    assertEquals(1.25f, Float8E4M3.round(1.1875f), "halfway between 1.125 and 1.25 ties to even 1.25");
    assertEquals(0x1p-6f, Float8E4M3.round(0.0151f), "rounds up from the subnormals into the normals");
    assertEquals(Float.NaN, Float8E4M3.toFloat((byte) 0x7f));
    assertEquals(Float.NaN, Float8E4M3.toFloat((byte) 0xff), "negative NaN: S=1 is NaN too");
    assertEquals(448f, Float8E4M3.toFloat((byte) 0x7e));
    assertEquals(-448f, Float8E4M3.toFloat((byte) 0xfe));
    assertEquals(240f, Float8E4M3.toFloat((byte) 0x77), "0.1110.111: no infinities, exponent 15 is a normal binade");
    assertEquals(256f, Float8E4M3.toFloat((byte) 0x78));
    assertEquals(448f, Float8E4M3.round(Float.POSITIVE_INFINITY), "infinity saturates like any large value");
    assertEquals(0x7e, Float8E4M3.fromFloat(464f) & 0xff, "halfway to the NaN code still saturates to 448");
    assertEquals(0x1p-9f, Float8E4M3.toFloat((byte) 0x01));
    for (int b = 0; b < 256; b++) {
      float v = Float8E4M3.toFloat((byte) b);
      if (!Float.isNaN(v) && b != 0x80) {
        assertEquals(b, Float8E4M3.fromFloat(v) & 0xff, "round trip of code " + b);
      }
    }
  }

  /** ONNX Runtime's extended optimizations drop a ReLU before an FP8 Q with zero point 0; OnnxRunner avoids them. */
  @Test
  void aReluBeforeAnFp8QuantizeStillClipsNegativeValues() {
    OnnxGraphBuilder b = new OnnxGraphBuilder("relu_fp8");
    b.input("x", OnnxDataType.FLOAT, new long[] {4}, null);
    String r = b.node("Relu", List.of("x"), "r");
    String s = b.scalar("scale", 0.01f, OnnxDataType.FLOAT);
    String zp = b.float8s("zero_point", new long[0], new byte[] {0});
    String q = b.node("QuantizeLinear", List.of(r, s, zp), "q");
    b.nodeWithOutputs("DequantizeLinear", List.of(q, s, zp), List.of("y"));
    b.output("y", OnnxDataType.FLOAT, new long[] {4}, null);
    byte[] model = b.build("test", Map.of()).toByteArray();
    try (OnnxRunner ort = new OnnxRunner(model, 1)) {
      float[] y = ort.run(Map.of("x", HostTensor.ofFloats(new long[] {4}, new float[] {-1f, -0.5f, 0.5f, 1f})))
          .get("y").floats();
      assertEquals(0f, y[0]);
      assertEquals(0f, y[1]);
      assertEquals(0.48f, y[2], 1e-6, "0.5 / 0.01 = 50 is 48 in FP8 (steps of 4 from 32 to 64)");
    }
  }

  @Test
  void roundsAsOnnxRuntimesQuantizeLinear() {
    OnnxGraphBuilder b = new OnnxGraphBuilder("fp8");
    b.input("x", OnnxDataType.FLOAT, new long[] {-1}, new String[] {"n"});
    String s = b.scalar("scale", 1f, OnnxDataType.FLOAT);
    String zp = b.float8s("zero_point", new long[0], new byte[] {0});
    String q = b.node("QuantizeLinear", List.of("x", s, zp), "q");
    b.nodeWithOutputs("DequantizeLinear", List.of(q, s, zp), List.of("y"));
    b.output("y", OnnxDataType.FLOAT, new long[] {-1}, new String[] {"n"});
    byte[] model = b.build("test", Map.of()).toByteArray();
    OnnxChecker.check(model);
    Random r = new Random(5);
    float[] x = new float[20_000];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (r.nextGaussian() * Math.pow(2, r.nextInt(24) - 12)); // every binade from 2^-12 to 2^11
    }
    x[0] = 448f;
    x[1] = -1000f;
    x[2] = 0x1p-10f;
    float[] y;
    try (OnnxRunner ort = new OnnxRunner(model, 1)) {
      y = ort.run(Map.of("x", HostTensor.ofFloats(new long[] {x.length}, x))).get("y").floats();
    }
    int differ = 0;
    for (int i = 0; i < x.length; i++) {
      differ += Float.compare(y[i], Float8E4M3.round(x[i])) == 0 ? 0 : 1;
    }
    assertEquals(0, differ, "values our encoder rounds differently from ONNX Runtime");
    assertTrue(y[1] == -448f);
  }
}
