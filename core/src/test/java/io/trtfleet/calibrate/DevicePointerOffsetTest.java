package io.trtfleet.calibrate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/** Per-tensor count and statistics blocks are addressed by offsets from one device allocation. */
class DevicePointerOffsetTest {

  @Test
  void anOffsetPointerPointsPastItsBase() {
    // A device address as cudaMalloc returns it (no host memory behind it, no native call needed here).
    Pointer base = new Pointer() {
      {
        address = 0x7f0000001000L;
      }
    };
    for (long bytes : new long[] {0, 8, 2048 * 8, 3 * 2048 * 8 - 8}) {
      Pointer p = HistogramBuffers.at(base, bytes);
      assertEquals(base.address() + bytes, p.address(), "offset " + bytes);
    }
  }
}
