package io.trtfleet.tensorrt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.onnx.Half;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.DataType;

/** The random benchmark input, on the CPU (the copy into native memory runs on the GPU host). */
class BenchmarkInputTest {

  @Test
  void floatsAreUniformInMinusOneToOneAndRepeatable() {
    int n = 100_000;
    float[] v = floats(BenchmarkInput.chunk(DataType.DT_FLOAT, 1, 0, n));
    double sum = 0;
    int zeros = 0;
    for (float x : v) {
      assertTrue(x >= -1 && x < 1, "value " + x);
      sum += x;
      zeros += x == 0 ? 1 : 0;
    }
    assertEquals(0, sum / n, 0.01, "mean of uniform [-1, 1)");
    assertTrue(zeros < 3, "not zeros: " + zeros);
    assertArrayEquals(v, floats(BenchmarkInput.chunk(DataType.DT_FLOAT, 1, 0, n)), "same seed and chunk");
    assertFalse(Arrays.equals(v, floats(BenchmarkInput.chunk(DataType.DT_FLOAT, 1, 1, n))), "chunks differ");
  }

  @Test
  void halvesAreTheSameValuesInFp16() {
    float[] f = floats(BenchmarkInput.chunk(DataType.DT_FLOAT, 1, 3, 1000));
    ByteBuffer h = ByteBuffer.wrap(BenchmarkInput.chunk(DataType.DT_HALF, 1, 3, 1000)).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(2000, h.remaining());
    for (int i = 0; i < 1000; i++) {
      assertEquals(Half.round(f[i]), Half.toFloat(h.getShort()), 0f, "element " + i);
    }
  }

  @Test
  void integerInputsAreNotFilledHere() {
    assertThrows(IllegalArgumentException.class, () -> BenchmarkInput.chunk(DataType.DT_INT32, 1, 0, 10));
  }

  private static float[] floats(byte[] b) {
    float[] out = new float[b.length / 4];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }
}
