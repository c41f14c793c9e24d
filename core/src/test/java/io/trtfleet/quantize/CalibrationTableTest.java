package io.trtfleet.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.trtfleet.TrtfleetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationTableTest {

  @Test
  void readsTheReferenceNoteExample() {
    CalibrationTable t = CalibrationTable.parse(List.of("TRT-100600-EntropyCalibration2", "images: 3c00f9f4"), "x");
    assertEquals(0.0078721f, t.scale("images").orElseThrow(), 1e-7f);
    assertEquals(0.99976f, t.amax("images").orElseThrow(), 1e-4f);
  }

  @Test
  void roundTripsTensorNamesWithColons(@TempDir Path dir) throws Exception {
    CalibrationTable t = CalibrationTable.fromAmax("TRT-100600-MinMaxCalibration",
        Map.of("conv1/Relu:0", 6.5f, "images:0", 1f));
    Path f = dir.resolve("calibration.cache");
    t.write(f);
    assertEquals("TRT-100600-MinMaxCalibration\nconv1/Relu:0: " + Integer.toHexString(Float.floatToRawIntBits(6.5f / 127f))
        + "\nimages:0: " + Integer.toHexString(Float.floatToRawIntBits(1f / 127f)) + "\n", Files.readString(f));
    assertEquals(t, CalibrationTable.read(f));
  }

  @Test
  void rejectsFilesThatAreNoCache(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("bad.cache");
    Files.writeString(f, "hello\n");
    TrtfleetException e = assertThrows(TrtfleetException.class, () -> CalibrationTable.read(f));
    assertEquals(true, e.getMessage().contains("not a TensorRT calibration cache"));
  }
}
