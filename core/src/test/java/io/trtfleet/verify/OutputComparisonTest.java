package io.trtfleet.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.graph.HostTensor;
import org.junit.jupiter.api.Test;

/** Relative errors with an absolute floor, and outputs of any numeric dtype. */
class OutputComparisonTest {

  @Test
  void aNearZeroOutputIsJudgedByItsAbsoluteError() {
    HostTensor expected = HostTensor.ofFloats(new long[] {2, 2}, new float[] {1e-12f, 0, -1e-12f, 0});
    HostTensor actual = HostTensor.ofFloats(new long[] {2, 2}, new float[] {2e-10f, 0, 0, 0});
    OutputComparison c = OutputComparison.of("y", expected, actual);
    assertEquals(2e-10, c.maxAbsError(), 2e-12);
    assertTrue(c.relativeRmsError() < 1e-4, c::toString);
    OutputComparison far = OutputComparison.of("y", expected,
        HostTensor.ofFloats(new long[] {2, 2}, new float[] {1e-3f, 0, 0, 0}));
    assertTrue(far.relativeRmsError() > 1, far::toString);
  }

  @Test
  void relativeErrorOfOrdinaryOutputsIsUnchanged() {
    HostTensor expected = HostTensor.ofFloats(new long[] {4}, new float[] {3, 4, 0, 0});
    HostTensor actual = HostTensor.ofFloats(new long[] {4}, new float[] {3, 4.5f, 0, 0});
    assertEquals(0.1, OutputComparison.of("y", expected, actual).relativeRmsError(), 1e-9);
  }

  @Test
  void integerAndBoolOutputsCompare() {
    HostTensor ints = HostTensor.ofInts(new long[] {3}, new int[] {1, 2, 3});
    assertEquals(0, OutputComparison.of("i", ints, ints).maxAbsError());
    HostTensor t = new HostTensor(org.tensorflow.proto.DataType.DT_BOOL, new long[] {2}, new byte[] {1, 0});
    HostTensor f = new HostTensor(org.tensorflow.proto.DataType.DT_BOOL, new long[] {2}, new byte[] {0, 0});
    assertEquals(1, OutputComparison.of("b", t, f).maxAbsError());
  }
}
