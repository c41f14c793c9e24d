package io.trtfleet.cli;

import static io.trtfleet.cli.InspectCommandTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trtfleet.calibrationdata.HeldOutSamples;
import io.trtfleet.cli.InspectCommandTest.Run;
import io.trtfleet.convert.WholeGraphSegment;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.onnx.proto.Onnx.ModelProto;
import io.trtfleet.testing.Fixtures;
import io.trtfleet.testing.MinMaxTables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mixed-precision fallback end to end on the CPU: the Fashion-MNIST sample built INT8 by {@code build
 * --backend onnxruntime}, against the bundled held-out images, with an INT8 gate tighter than the plain INT8
 * build measures (derived from that measurement, so the test holds for any calibration): plain INT8 fails
 * it, the fallback passes it with the most sensitive tensors in FP16 and records which in the report.
 */
class MixedPrecisionBuildCommandTest {

  static final String SAMPLES = "1000";
  @TempDir static Path tmp;
  static Path model;
  static Path cache;
  static String validation;

  /** A min-max table from 500 of the bundled training-split images. */
  @BeforeAll
  static void calibrate() throws Exception {
    model = Fixtures.fashionMnistModel();
    validation = Fixtures.fashionMnistSamples("validation.parquet").toString();
    FrozenGraph g = SavedModelImporter.importModel(ImportOptions.of(model)).graph();
    var batches = HeldOutSamples.load(Fixtures.fashionMnistSamples("calibration.parquet").toString(), g, 500, 100,
        new Configuration()).stream().map(b -> Map.of("images:0", b.inputs().get("images"))).toList();
    cache = tmp.resolve("calibration.cache");
    MinMaxTables.of(g, WholeGraphSegment.of(g), batches).write(cache);
  }

  private static Run buildInt8(String out, Path gates, String... extra) {
    List<String> args = new ArrayList<>(List.of("build", "--backend", "onnxruntime", "--model", model.toString(),
        "--precision", "INT8", "--calibration", cache.toString(), "--data", validation, "--samples", SAMPLES,
        "--iterations", "0", "--gates", gates.toString(), "--out", tmp.resolve(out).toString()));
    args.addAll(List.of(extra));
    return cli(args.toArray(String[]::new));
  }

  private static JsonNode segment(String out) throws Exception {
    return new ObjectMapper().readTree(tmp.resolve(out).resolve("build-report.json").toFile())
        .path("builds").path(0).path("segments").path(0);
  }

  private static double error(JsonNode segment) {
    return segment.path("validation").path("outputs").elements().next().path("relativeRmsError").asDouble();
  }

  /** A gates file whose INT8 gate is a bound on the output's relative RMS error only. */
  private static Path int8Gate(String name, double maxRelativeRmsError) throws Exception {
    return Files.writeString(tmp.resolve(name), String.format(Locale.ROOT, "{\"INT8\": {\"max_relative_rms_error\":"
        + " %.6g, \"min_top1_agreement\": 0, \"max_top1_drop\": 1}}", maxRelativeRmsError));
  }

  @Test
  void theFallbackTurnsAFailingInt8GateIntoAPassingOneAndRecordsTheTensorsKeptInFloat() throws Exception {
    Run plain = buildInt8("plain", int8Gate("measure.json", 1), "--no-mixed-precision");
    assertEquals(0, plain.exit(), plain.out() + plain.err());
    double plainError = error(segment("plain"));
    assertTrue(plainError > 1e-3, "INT8 shows quantization error: " + plainError);

    // Tighter than plain INT8 by 40%, far looser than FP16 (about 2e-4 here): only a mix can pass it.
    double bound = 0.6 * plainError;
    Path gates = int8Gate("gates.json", bound);

    Run refused = buildInt8("refused", gates, "--no-mixed-precision");
    assertEquals(BuildCommand.EXIT_FAILED, refused.exit(), refused.out() + refused.err());
    List<String> failed = refused.out().lines().filter(l -> l.contains("FAILED_GATE")).toList();
    assertEquals(1, failed.size(), refused.out());
    assertTrue(failed.get(0).startsWith("[1/1] TRTEngineOp_000_000 INT8: FAILED_GATE (")
        && failed.get(0).contains("relative RMS error") && failed.get(0).contains("mixed precision is off"),
        failed.get(0));
    assertTrue(!refused.out().contains("mixed precision: "), "no search when it is off: " + refused.out());

    Run mixed = buildInt8("mixed", gates);
    assertEquals(0, mixed.exit(), mixed.out() + mixed.err());
    assertTrue(mixed.out().contains("mixed precision: TRTEngineOp_000_000 missed its INT8 gate"), mixed.out());
    JsonNode s = segment("mixed");
    assertEquals("OK", s.path("status").asText(), s.toString());
    assertTrue(error(s) <= bound, "the chosen build meets the gate: " + s);
    JsonNode record = s.path("mixedPrecision");
    List<String> ranking = new ArrayList<>();
    record.path("ranking").forEach(t -> ranking.add(t.asText()));
    List<String> kept = new ArrayList<>();
    record.path("keptFloat").forEach(t -> kept.add(t.asText()));
    assertTrue(!kept.isEmpty() && kept.size() < ranking.size(),
        "some tensors kept in float, some still INT8: " + record);
    assertEquals(ranking.subList(0, kept.size()), kept, "the most sensitive first");
    assertTrue(s.path("reason").asText().startsWith("mixed precision: " + kept.size() + " of " + ranking.size()
        + " quantized tensors kept in FP16"), s.toString());

    // The ONNX on disk is the chosen build: a Q on each tensor still quantized (its scale is TENSOR_scale), none
    // on those kept in float.
    ModelProto onnx = ModelProto.parseFrom(Files.readAllBytes(tmp.resolve("mixed/int8/onnx/TRTEngineOp_000_000.onnx")));
    Set<String> quantized = onnx.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("QuantizeLinear"))
        .map(n -> n.getInput(1).replaceAll("_scale$", "")).collect(Collectors.toSet());
    assertEquals(Set.copyOf(ranking.subList(kept.size(), ranking.size())), quantized);
  }
}
