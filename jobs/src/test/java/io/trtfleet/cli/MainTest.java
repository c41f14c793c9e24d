package io.trtfleet.cli;

import static io.trtfleet.cli.InspectCommandTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.cli.InspectCommandTest.Run;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class MainTest {

  private static void assertError(Run r, String expected) {
    assertEquals(Main.EXIT_BAD_INPUT, r.exit(), r.out() + r.err());
    assertEquals("error: " + expected, r.err().strip());
  }

  @Test
  void mistypedOptionsAndCommandsGetADidYouMean() {
    assertError(cli("inspect", "--modle", "m"), "unknown option '--modle': did you mean --model? (see trtfleet inspect --help)");
    assertError(cli("inpsect", "--model", "m"), "unknown command 'inpsect': did you mean inspect? (see trtfleet --help)");
    assertError(cli("calibrate", "--model", "m", "--data", "d", "--algoritm", "mse"),
        "unknown option '--algoritm': did you mean --algorithm? (see trtfleet calibrate --help)");
    assertError(cli("calibration-data", "valdate"),
        "unknown command 'valdate': did you mean validate? (see trtfleet calibration-data --help)");
    assertError(cli("inspect", "--model", "m", "--zzzzzz"), "unknown option '--zzzzzz' (see trtfleet inspect --help)");
  }

  @Test
  void onlyPlausibleTyposAreSuggested() {
    assertEquals(List.of("inspect"), Typos.plausible("inpsect", List.of("inspect", "sensitivity")));
    assertEquals(List.of("--algorithm"), Typos.plausible("--algoritm", List.of("--algorithm", "--data")));
    assertEquals(List.of(), Typos.plausible("zzzzzz", List.of("ls")));
    assertEquals(List.of("--calibration"), Typos.plausible("--calib", List.of("--calibration", "--batch-size")),
        "a name cut short");
  }

  @Test
  void versionNamesWhatTrtfleetWasBuiltForAndWhatIsFoundHere() {
    Properties builtFor = Versions.builtFor();
    assertTrue(builtFor.getProperty("tensorrt-preset").matches("\\d+\\.\\d+-\\d+\\.\\d+\\.\\d+"), builtFor.toString());
    Run r = cli("--version");
    assertEquals(0, r.exit(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals("trtfleet " + builtFor.getProperty("trtfleet"), lines.get(0));
    assertTrue(lines.get(1).matches("  TensorFlow +2\\.\\d+\\.\\d+ \\(TensorFlow Java " + builtFor.getProperty("tensorflow-java")
        .replace(".", "\\.") + "\\)"), lines.get(1));
    String trt = builtFor.getProperty("tensorrt-preset");
    String prefix = "  TensorRT      built for " + trt.substring(0, trt.indexOf('-')) + " (bytedeco preset " + trt + "), found: ";
    assertTrue(lines.get(2).startsWith(prefix), lines.get(2));
    String found = lines.get(2).substring(prefix.length());
    assertTrue(found.matches("\\d+\\.\\d+\\.\\d+|not found \\(.+\\)"), found);
    assertTrue(lines.get(3).startsWith("  Spark         " + builtFor.getProperty("spark")), lines.get(3));
    assertTrue(lines.get(4).startsWith("  ONNX Runtime  " + builtFor.getProperty("onnxruntime")), lines.get(4));
  }
}
