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
}
