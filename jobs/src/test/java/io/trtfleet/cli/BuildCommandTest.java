package io.trtfleet.cli;

import static io.trtfleet.cli.InspectCommandTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trtfleet.cli.InspectCommandTest.Run;
import io.trtfleet.tensorrt.ImageBinding;
import io.trtfleet.tensorrt.TensorRt;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * build and bench say plainly when there is no GPU, and reject bad input before touching one; the same
 * build stages run on the CPU with --backend onnxruntime.
 */
class BuildCommandTest {

  @TempDir Path tmp;

  @Test
  void buildWithoutGpuSaysSoInOneLineAndWritesNothing() {
    assumeTrue(TensorRt.unavailableReason().isPresent(), "this machine has a GPU: the GPU suite covers build");
    Path model = Path.of(System.getProperty("trtfleet.root", "..")).resolve("calibration-data/samples/fashion-mnist-cnn/saved_model");
    Run r = cli("build", "--model", model.toString(), "--out", tmp.resolve("out").toString(), "--precision", "FP32,FP16");
    assertEquals(Main.EXIT_BAD_INPUT, r.exit(), r.err());
    assertTrue(r.err().startsWith("error: no GPU/TensorRT on this machine ("), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(!Files.exists(tmp.resolve("out")), "nothing half-written");
  }

  @Test
  void onnxRuntimeBackendRunsTheSameStagesOnTheCpu() throws Exception {
    Path root = Path.of(System.getProperty("trtfleet.root", ".."));
    Path out = tmp.resolve("out");
    Run r = cli("build", "--model", root.resolve("calibration-data/samples/fashion-mnist-cnn/saved_model").toString(),
        "--out", out.toString(), "--precision", "FP32,FP16", "--backend", "onnxruntime", "--data",
        root.resolve("calibration-data/samples/fashion-mnist/validation.parquet").toString(), "--samples", "200");
    assertEquals(0, r.exit(), r.err() + r.out());
    assertTrue(r.out().contains("building on ONNX Runtime"), r.out());
    assertTrue(r.out().contains("[1/1] TRTEngineOp_000_000 FP16: OK"), r.out());
    for (String p : new String[] {"fp32", "fp16"}) {
      assertTrue(Files.isRegularFile(out.resolve(p).resolve("saved_model/saved_model.pb")), p);
      assertTrue(Files.isRegularFile(out.resolve(p).resolve("onnx/TRTEngineOp_000_000.onnx")), p);
    }
    JsonNode report = new ObjectMapper().readTree(out.resolve("build-report.json").toFile());
    assertEquals("cpu", report.get("device_key").asText());
    JsonNode segment = report.get("builds").get(1).get("segments").get(0);
    assertEquals("OK", segment.get("status").asText());
    assertEquals(200, segment.get("validation").get("samples").asInt());
    assertTrue(segment.get("validation").get("accuracy").size() == 1, segment.toString());
  }

  @Test
  void benchOfAMissingEngineNamesIt() {
    Run r = cli("bench", "--engine", tmp.resolve("missing.plan").toString());
    assertEquals(Main.EXIT_BAD_INPUT, r.exit());
    assertTrue(r.err().contains("missing.plan is not a file"), r.err());
  }

  @Test
  void inputsAreCheckedBeforeTheGpu() {
    Run r = cli("build", "--model", tmp.toString(), "--out", tmp.resolve("o").toString(), "--precision", "FP4");
    assertEquals(Main.EXIT_BAD_INPUT, r.exit(), r.err());
    assertTrue(r.err().contains("Invalid precision 'FP4'"), r.err());
    r = cli("build", "--model", tmp.toString(), "--out", tmp.resolve("o").toString(), "--precision", "FP8");
    assertEquals(Main.EXIT_BAD_INPUT, r.exit(), r.err());
    assertEquals("error: --precision FP8 needs --calibration FILE (trtfleet calibrate's calibration.cache)",
        r.err().strip(), "FP8 is a precision; like INT8 it needs scales");
    r = cli("build", "--model", tmp.toString(), "--out", tmp.resolve("o").toString(), "--precision", "FP16,INT8");
    assertTrue(r.err().contains("--precision INT8 needs --calibration FILE"), r.err());
    r = cli("build", "--model", tmp.toString(), "--out", tmp.resolve("o").toString(), "--image-binding", "NHWC");
    assertEquals(Main.EXIT_BAD_INPUT, r.exit(), r.err());
    assertTrue(r.err().contains("--image-binding") && r.err().contains("CHANNEL_LAST, NCHW"), r.err());
  }

  /** Engines bind NHWC images channel-last unless --image-binding says otherwise. */
  @Test
  void imageBindingReachesTheEngineSettings() {
    BuildCommand defaults = new BuildCommand();
    new CommandLine(defaults).parseArgs("--model", "m", "--out", "o");
    assertEquals(ImageBinding.CHANNEL_LAST, defaults.engine.template(null).imageBinding());
    BuildCommand nchw = new BuildCommand();
    new CommandLine(nchw).parseArgs("--model", "m", "--out", "o", "--image-binding", "NCHW");
    assertEquals(ImageBinding.NCHW, nchw.engine.template(null).imageBinding());
  }
}
