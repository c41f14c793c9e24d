package io.trtfleet.cli;

import static io.trtfleet.cli.InspectCommandTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.calibrationdata.CalibrationSetWriter;
import io.trtfleet.cli.InspectCommandTest.Run;
import io.trtfleet.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrateCommandTest {

  @TempDir
  Path tmp;

  @Test
  void aSetThatCannotFeedTheModelIsRefusedBeforeSparkStarts() {
    Path model = TestModels.cnn(tmp.resolve("cnn"));
    Path data = tmp.resolve("pixels.parquet");
    try (CalibrationSetWriter w = CalibrationSetWriter.builder(data, "pixels", new long[] {28, 28, 1}).build()) {
      w.write(new float[784]);
      w.commit();
    }
    // A master Spark cannot use: had Spark started first, this would be the error.
    Run r = cli("calibrate", "--model", model.toString(), "--data", data.toString(), "--out", tmp.resolve("out").toString(),
        "--master", "bogus://nowhere");
    assertEquals(Main.EXIT_BAD_INPUT, r.exit(), r.err());
    assertTrue(r.err().startsWith("error: calibration data " + data + " has no column 'images'"), r.err());
    assertFalse(Files.exists(tmp.resolve("out")), "nothing written");
  }
}
