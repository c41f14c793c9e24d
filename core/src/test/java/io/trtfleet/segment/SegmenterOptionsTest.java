package io.trtfleet.segment;

import io.trtfleet.Precision;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.trtfleet.TrtfleetException;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SegmenterOptionsTest {

  @Test
  void defaultsAreTfTrtsButForShapes() {
    SegmenterOptions o = SegmenterOptions.defaults();
    assertEquals(3, o.minimumSegmentSize());
    assertEquals(20, o.maximumEngines());
    assertEquals(Set.of(), o.denylist());
    assertEquals(Precision.FP32, o.precision());
    assertEquals(ShapeMode.DYNAMIC_BATCH, o.shapes(), "converts more than TF-TRT's implicit batch, builds from batch sizes");
    assertTrue(o.dynamicShapes());
    assertFalse(SegmenterOptions.builder().dynamicShapes(false).build().dynamicShapes());
    assertEquals(ShapeMode.DYNAMIC_BATCH, ShapeMode.parse("Dynamic-Batch"));
    assertThrows(io.trtfleet.TrtfleetException.class, () -> ShapeMode.parse("implicit"));
  }

  @Test
  void badValuesAreRejectedWithTheValue() {
    assertEquals("Invalid minimum segment size -2: use a number >= 1, or -1 to turn conversion off",
        assertThrows(TrtfleetException.class, () -> SegmenterOptions.builder().minimumSegmentSize(-2).build())
            .getMessage());
    assertEquals("Invalid maximum engines 0: use a number >= 1",
        assertThrows(TrtfleetException.class, () -> SegmenterOptions.builder().maximumEngines(0).build())
            .getMessage());
    assertEquals("Invalid denylist op 'Conv2d': TensorFlow has no op of that name (did you mean Conv2D?); op names"
        + " are case-sensitive, e.g. Conv2D,FusedBatchNormV3",
        assertThrows(TrtfleetException.class, () -> SegmenterOptions.builder().denylist("Relu, Conv2d").build())
            .getMessage());
    assertEquals("Invalid denylist op 'Conv2d': TensorFlow has no op of that name (did you mean Conv2D?); op names"
        + " are case-sensitive, e.g. Conv2D,FusedBatchNormV3",
        assertThrows(TrtfleetException.class, () -> SegmenterOptions.builder().denylist("Foo,Conv2d").build())
            .getMessage(), "the first bad name in sorted order, whatever the order given");
    assertEquals("Invalid precision 'fp64': use one of FP32, FP16, INT8, INT8_FP32, FP8",
        assertThrows(TrtfleetException.class, () -> Precision.parse("fp64")).getMessage());
  }

  @Test
  void denylistParsesCommaSeparatedNames() {
    assertEquals(Set.of("Relu", "Conv2D"), SegmenterOptions.builder().denylist(" Relu,,Conv2D ").build().denylist());
    assertEquals(Precision.INT8, Precision.parse("int8"));
  }
}
