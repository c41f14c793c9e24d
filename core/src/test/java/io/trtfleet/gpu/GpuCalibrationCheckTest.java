package io.trtfleet.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The "within one bin" measure of the GPU check, on the CPU. */
class GpuCalibrationCheckTest {

  @Test
  void binShiftIsTheLargestMoveNeeded() {
    assertEquals(0, GpuCalibrationCheck.binShift(new long[] {1, 2, 3}, new long[] {1, 2, 3}));
    assertEquals(1, GpuCalibrationCheck.binShift(new long[] {1, 2, 3}, new long[] {0, 3, 3}), "one value moved right");
    assertEquals(1, GpuCalibrationCheck.binShift(new long[] {0, 3, 3}, new long[] {1, 2, 3}), "symmetric");
    assertEquals(1, GpuCalibrationCheck.binShift(new long[] {2, 0, 2}, new long[] {1, 2, 1}), "moves both ways");
    assertEquals(2, GpuCalibrationCheck.binShift(new long[] {1, 0, 0}, new long[] {0, 0, 1}));
    assertEquals(1, GpuCalibrationCheck.binShift(new long[] {0, 5}, new long[] {0, 4, 1}), "different lengths");
    assertEquals(Integer.MAX_VALUE, GpuCalibrationCheck.binShift(new long[] {1}, new long[] {2}));
  }
}
