package io.trtfleet.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HostTensorTest {

  @Test
  void nhwcToNchwMovesEachElementToItsChannelPlane() {
    // One 1x2x3 image (H=1, W=2, C=3), pixels (r,g,b) = (1,2,3) and (4,5,6): planes r, g, b.
    HostTensor small = HostTensor.ofFloats(new long[] {1, 1, 2, 3}, new float[] {1, 2, 3, 4, 5, 6});
    HostTensor planes = small.nhwcToNchw();
    assertArrayEquals(new long[] {1, 3, 1, 2}, planes.shape());
    assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, planes.floats());

    int n = 2;
    int h = 3;
    int w = 4;
    int c = 5;
    int[] values = new int[n * h * w * c];
    for (int i = 0; i < values.length; i++) {
      values[i] = i * 7 + 1;
    }
    int[] nchw = ints(HostTensor.ofInts(new long[] {n, h, w, c}, values).nhwcToNchw());
    for (int b = 0; b < n; b++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          for (int k = 0; k < c; k++) {
            assertArrayEquals(new int[] {values[((b * h + y) * w + x) * c + k]},
                new int[] {nchw[((b * c + k) * h + y) * w + x]}, "[" + b + "," + k + "," + y + "," + x + "]");
          }
        }
      }
    }
  }

  @Test
  void nhwcToNchwMovesWiderElementsWhole() {
    HostTensor longs = HostTensor.ofLongs(new long[] {1, 1, 2, 3}, new long[] {1L << 40, 2, 3, 4, 5, -6});
    HostTensor planes = longs.nhwcToNchw();
    long[] out = new long[6];
    java.nio.ByteBuffer.wrap(planes.data()).order(java.nio.ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
    assertArrayEquals(new long[] {1L << 40, 4, 2, 5, 3, -6}, out);
  }

  @Test
  void nhwcToNchwRefusesOtherRanks() {
    HostTensor vector = HostTensor.ofFloats(new long[] {4}, new float[4]);
    assertThrows(IllegalArgumentException.class, vector::nhwcToNchw);
  }

  private static int[] ints(HostTensor t) {
    int[] out = new int[(int) t.elementCount()];
    java.nio.ByteBuffer.wrap(t.data()).order(java.nio.ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
    return out;
  }
}
