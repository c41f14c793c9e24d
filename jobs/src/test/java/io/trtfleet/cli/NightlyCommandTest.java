package io.trtfleet.cli;

import static io.trtfleet.cli.InspectCommandTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.cli.InspectCommandTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NightlyCommandTest {

  @TempDir
  Path dir;

  @Test
  void badFleetConfigIsOneErrorLineAndExit2() throws Exception {
    Path fleet = Files.writeString(dir.resolve("fleet.yaml"), "pools:\n  - {name: gpu.h100, gpu_name: H100,"
        + " device: h100.sm90, tensorrt: 10.6.0}\n");
    Path models = Files.writeString(dir.resolve("models.yaml"), "models: []\n");
    Run r = cli("nightly", "--fleet", fleet.toString(), "--models",
        models.toString(), "--store", dir.resolve("store").toString());
    assertEquals(Main.EXIT_BAD_INPUT, r.exit());
    String text = r.err().strip();
    assertTrue(text.startsWith("error: " + fleet + ": pools[0].name: 'gpu.h100' is not a Spark resource name"), text);
    assertEquals(1, text.lines().count(), text);
  }

  @Test
  void runIdsAreCheckedAndNeverReused() throws Exception {
    Path fleet = Files.writeString(dir.resolve("fleet.yaml"), "pools:\n  - {name: cpu, backend: onnxruntime}\n");
    Path root = Path.of(System.getProperty("trtfleet.root", ".."));
    Path models = Files.writeString(dir.resolve("models.yaml"), "models:\n  - {name: cnn, model: "
        + root.resolve("calibration-data/samples/fashion-mnist-cnn/saved_model") + ", precisions: [FP32],"
        + " validation: {data: random}, pools: [cpu]}\n");
    for (String bad : new String[] {"..", "a/b", ".hidden", "x..y"}) {
      Run r = cli("nightly", "--fleet", fleet.toString(), "--models", models.toString(), "--store",
          dir.resolve("store").toString(), "--run-id", bad);
      assertEquals(Main.EXIT_BAD_INPUT, r.exit(), bad);
      assertTrue(r.err().startsWith("error: run id '" + bad + "' must start with a letter or digit"), r.err());
    }
    Files.createDirectories(dir.resolve("store/runs/monday"));
    Run r = cli("nightly", "--fleet", fleet.toString(), "--models", models.toString(), "--store",
        dir.resolve("store").toString(), "--run-id", "monday");
    assertEquals(Main.EXIT_BAD_INPUT, r.exit());
    assertTrue(r.err().startsWith("error: run id 'monday' was used by an earlier run"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
  }
}
