package io.trtfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trtfleet.convert.WholeGraphSegment;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.onnx.OnnxDataType;
import io.trtfleet.onnx.proto.Onnx.ModelProto;
import io.trtfleet.quantize.QuantizationTargets;
import io.trtfleet.tensorrt.TensorRt;
import io.trtfleet.testing.Fixtures;
import io.trtfleet.testing.MinMaxTables;
import io.trtfleet.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FP8 and sensitivity from the command line, on the Fashion-MNIST sample with a min-max calibration. */
class SensitivityCommandTest {

  @TempDir static Path tmp;
  static Path model;
  static Path cache;
  static List<String> targets;

  @BeforeAll
  static void calibrate() throws Exception {
    model = Fixtures.fashionMnistModel();
    FrozenGraph g = SavedModelImporter.importModel(ImportOptions.of(model)).graph();
    targets = QuantizationTargets.of(g);
    List<Map<String, HostTensor>> batches = new ArrayList<>();
    for (int b = 0; b < 4; b++) {
      batches.add(Map.of("images:0", HostTensor.ofFloats(new long[] {50, 28, 28, 1},
          TestModels.randomInput(b, 50 * 784))));
    }
    cache = tmp.resolve("calibration.cache");
    MinMaxTables.of(g, WholeGraphSegment.of(g), batches).write(cache);
  }

  @Test
  void sensitivityRanksEveryQuantizedTensorOfTheSampleAndWritesTableAndPage() throws Exception {
    Path out = tmp.resolve("sensitivity");
    InspectCommandTest.Run r = InspectCommandTest.cli("sensitivity", "--model", model.toString(), "--data",
        Fixtures.fashionMnistSamples("validation.parquet").toString(), "--samples", "300", "--calibration",
        cache.toString(), "--out", out.toString());
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("sensitivity: 10 conversions"), r.out());
    JsonNode json = new ObjectMapper().readTree(out.resolve("sensitivity.json").toFile());
    assertEquals("INT8", json.get("precision").asText());
    assertEquals("ONNX Runtime on the CPU", json.get("run_on").asText());
    assertEquals(300, json.get("samples").asInt());
    assertTrue(json.get("labelled").asBoolean());
    TreeSet<String> ranked = new TreeSet<>();
    double previous = Double.MAX_VALUE;
    for (JsonNode t : json.get("ranking")) {
      ranked.add(t.get("tensor").asText());
      double err = t.path("only_quantized").path("relative_rms_error").asDouble();
      assertTrue(err > 0 && err <= previous, "ranked most sensitive first: " + json.get("ranking"));
      previous = err;
      assertTrue(t.path("only_float").path("top1_drop").isNumber(), t.toString());
    }
    assertEquals(new TreeSet<>(targets), ranked, "every tensor the INT8 build quantizes");
    String page = Files.readString(out.resolve("sensitivity.html"));
    assertTrue(page.contains("<svg") && page.contains("INT8 sensitivity: fashion-mnist-cnn")
        && page.contains("(ONNX Runtime on the CPU)") && page.contains("only this one is left in float")
        && page.contains("only float: rel. RMS"), page);
  }

  /** --quantized-only halves the work: one variant per tensor, and the report has no "only it in float". */
  @Test
  void quantizedOnlySkipsTheFloatVariants() throws Exception {
    Path out = tmp.resolve("quantized-only");
    InspectCommandTest.Run r = InspectCommandTest.cli("sensitivity", "--model", model.toString(), "--data", "random:3",
        "--samples", "100", "--calibration", cache.toString(), "--quantized-only", "--out", out.toString());
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("sensitivity: " + (2 + targets.size()) + " conversions")
        && !r.out().contains("in float"), r.out());
    JsonNode ranking = new ObjectMapper().readTree(out.resolve("sensitivity.json").toFile()).get("ranking");
    assertEquals(targets.size(), ranking.size());
    for (JsonNode t : ranking) {
      assertTrue(t.path("only_quantized").path("relative_rms_error").isNumber(), t.toString());
      assertTrue(t.path("only_float").isMissingNode() || t.path("only_float").isNull(), t.toString());
    }
    String page = Files.readString(out.resolve("sensitivity.html"));
    assertTrue(page.contains("only this tensor quantized") && !page.contains("in float")
        && !page.contains("only float"), "the page promises no figure the analysis did not measure: " + page);

    r = InspectCommandTest.cli("sensitivity", "--model", model.toString(), "--data", "random", "--calibration",
        cache.toString(), "--opt-level", "7", "--out", tmp.resolve("bad-level").toString());
    assertEquals(Main.EXIT_BAD_INPUT, r.exit(), r.err());
    assertEquals("error: --opt-level must be 0..5, got 7", r.err().strip());
    assertTrue(!Files.exists(tmp.resolve("bad-level")), "nothing written");
    r = InspectCommandTest.cli("sensitivity", "--model", model.toString(), "--data", "random", "--calibration",
        cache.toString(), "--opt-level", "0", "--out", tmp.resolve("cpu-level").toString());
    assertEquals(Main.EXIT_BAD_INPUT, r.exit(), r.err());
    assertEquals("error: --opt-level sets how TensorRT builds the variants: use it with --backend tensorrt",
        r.err().strip());
  }

  @Test
  void fp8ExportsE4m3QdqAndVerifiesAgainstTensorFlow() throws Exception {
    Path out = tmp.resolve("fp8");
    InspectCommandTest.Run r = InspectCommandTest.cli("export-onnx", "--model", model.toString(), "--out",
        out.toString(), "--precision", "fp8", "--calibration", cache.toString());
    assertEquals(0, r.exit(), r.out() + r.err());
    ModelProto onnx = ModelProto.parseFrom(Files.readAllBytes(out.resolve("TRTEngineOp_000_000.onnx")));
    assertTrue(onnx.getGraph().getInitializerList().stream()
        .anyMatch(t -> t.getDataType() == OnnxDataType.FLOAT8E4M3FN), "FP8 weights and zero points");
    JsonNode segments = new ObjectMapper().readTree(out.resolve("segments.json").toFile());
    assertEquals("FP8", segments.get("precision").asText());

    r = InspectCommandTest.cli("verify", "--model", model.toString(), "--data",
        Fixtures.fashionMnistSamples("validation.parquet").toString(), "--samples", "300", "--precision", "FP8",
        "--calibration", cache.toString(), "--max-relative-error", "0.05");
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("FP8 ONNX") && r.out().contains("accuracy vs labels"), r.out());
  }

  @Test
  void sensitivityOfAPrecisionThatQuantizesNothingIsOneLine() {
    InspectCommandTest.Run r = InspectCommandTest.cli("sensitivity", "--model", model.toString(), "--data", "random",
        "--calibration", cache.toString(), "--precision", "FP16", "--out", tmp.resolve("x").toString());
    assertEquals(Main.EXIT_BAD_INPUT, r.exit());
    assertEquals("error: --precision FP16 quantizes no tensor: use INT8, INT8_FP32 or FP8", r.err().strip());
  }

  /** Without a GPU, --backend tensorrt is one line before any work; an unknown backend too. */
  @Test
  void sensitivityOnTensorRtWithoutGpuOrOnAnUnknownBackendIsOneLine() {
    assumeTrue(TensorRt.unavailableReason().isPresent(), "this machine has a GPU: the GPU suite covers it");
    Path out = tmp.resolve("on-gpu");
    InspectCommandTest.Run r = InspectCommandTest.cli("sensitivity", "--model", model.toString(), "--data", "random",
        "--calibration", cache.toString(), "--backend", "tensorrt", "--out", out.toString());
    assertEquals(Main.EXIT_BAD_INPUT, r.exit(), r.err());
    assertTrue(r.err().startsWith("error: no GPU/TensorRT on this machine ("), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(!Files.exists(out), "nothing written");

    r = InspectCommandTest.cli("sensitivity", "--model", model.toString(), "--data", "random", "--calibration",
        cache.toString(), "--backend", "cuda", "--out", out.toString());
    assertEquals(Main.EXIT_BAD_INPUT, r.exit(), r.err());
    assertEquals("error: --backend must be onnxruntime or tensorrt, got 'cuda'", r.err().strip());
  }
}
