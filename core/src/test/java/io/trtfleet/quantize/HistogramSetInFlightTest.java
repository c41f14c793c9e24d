package io.trtfleet.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A set whose last batch is still on the GPU (the caller forgot CalibrationCollector.flush) refuses to be read. */
class HistogramSetInFlightTest {

  private static HistogramSet set() {
    return HistogramSet.withRanges(List.of("a:0"), Map.of("a:0", 2f), AbsHistogram.DEFAULT_BINS);
  }

  @Test
  void readingMergingOrShippingAnInFlightSetFailsLoudly() {
    HistogramSet s = set();
    s.batchInFlight("gpu");
    IllegalStateException e = assertThrows(IllegalStateException.class, s::samples);
    assertTrue(e.getMessage().contains("flush()") && e.getMessage().contains("gpu"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> s.get("a:0"));
    assertThrows(IllegalStateException.class, s::histograms);
    assertThrows(IllegalStateException.class, () -> set().merge(s), "merging it into another set");
    assertThrows(IllegalStateException.class, () -> s.merge(set()));
    assertThrows(IllegalStateException.class, () -> new ObjectOutputStream(new ByteArrayOutputStream()).writeObject(s),
        "a Spark task must not ship it to the driver");
    assertThrows(IllegalStateException.class, () -> s.batchInFlight("gpu"), "one batch in flight at a time");
  }

  @Test
  void aLandedSetReadsAndShipsAsBefore() throws Exception {
    HistogramSet s = set();
    s.batchInFlight("gpu");
    s.batchLanded();
    s.get("a:0").add(new float[] {1f, -0.5f}, 0, 2);
    s.addSamples(2);
    assertEquals(2, s.samples());
    assertEquals(2, set().merge(s).get("a:0").total());
    try (ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
      out.writeObject(s);
    } catch (NotSerializableException e) {
      throw new AssertionError(e);
    }
  }
}
