package io.trtfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class NightlyCommandTest {

  @TempDir
  Path dir;

  @Test
  void badFleetConfigIsOneErrorLineAndExit2() throws Exception {
    Path fleet = Files.writeString(dir.resolve("fleet.yaml"), "pools:\n  - {name: gpu.h100, gpu_name: H100,"
        + " device: h100.sm90, tensorrt: 10.6.0}\n");
    Path models = Files.writeString(dir.resolve("models.yaml"), "models: []\n");
    CommandLine cli = Main.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));
    int rc = cli.execute("nightly", "--fleet", fleet.toString(), "--models", models.toString(), "--store",
        dir.resolve("store").toString());
    assertEquals(Main.EXIT_BAD_INPUT, rc);
    String text = err.toString().strip();
    assertTrue(text.startsWith("error: " + fleet + ": pools[0].name: 'gpu.h100' is not a Spark resource name"), text);
    assertEquals(1, text.lines().count(), text);
  }
}
