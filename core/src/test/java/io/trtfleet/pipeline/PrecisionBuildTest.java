package io.trtfleet.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trtfleet.Precision;
import io.trtfleet.convert.WholeGraphSegment;
import io.trtfleet.quantize.CalibrationTable;
import io.trtfleet.testing.MinMaxTables;
import io.trtfleet.artifact.SourceModel;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.importer.SavedModelReader;
import io.trtfleet.store.ArtifactStore;
import io.trtfleet.store.ContentDigest;
import io.trtfleet.store.Manifest;
import io.trtfleet.store.TargetKey;
import io.trtfleet.testing.Fixtures;
import io.trtfleet.testing.TestModels;
import io.trtfleet.verify.AccuracyGate;
import io.trtfleet.verify.ValidationGates;
import io.trtfleet.verify.Verifier;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * The build stages on the CPU backend, on the sample CNN (which converts only partly: its Softmax stays
 * in TensorFlow): every segment converted, validated against TensorFlow and kept in the TF-TRT SavedModel
 * as a TRTEngineOp beside the native nodes; published with a manifest that says what built it.
 */
class PrecisionBuildTest {

  static final Path SAMPLE = Fixtures.repo("calibration-data/samples/fashion-mnist-cnn/saved_model");
  static ModelUnderBuild model;
  static List<Verifier.Batch> heldOut;

  @TempDir
  Path tmp;

  @BeforeAll
  static void load() {
    ImportOptions options = ImportOptions.of(SAMPLE);
    model = new ModelUnderBuild("fashion-mnist-cnn", SourceModel.read(options),
        SavedModelImporter.importModel(options).graph());
    heldOut = List.of(batch(7, 32), batch(8, 32));
  }

  private static Verifier.Batch batch(long seed, int rows) {
    return new Verifier.Batch(Map.of("images", HostTensor.ofFloats(new long[] {rows, 28, 28, 1},
        TestModels.randomInput(seed, rows * 784))), null);
  }

  private BuildOutcome build(Precision p, AccuracyGate gate, Path dir) {
    StringWriter log = new StringWriter();
    BuildOutcome o = new PrecisionBuild(model, new OnnxRuntimeBackend(1), BuildSettings.builder().build(),
        new PrintWriter(log)).run(p, null, heldOut, gate, dir);
    assertTrue(log.toString().contains("[1/" + o.segments().size() + "] "), log.toString());
    return o;
  }

  @Test
  void cpuBuildWritesVerifiedOnnxAndAConvertedNotBuiltSavedModelAndPublishesItUnderCpu() throws Exception {
    Path dir = tmp.resolve("fp32");
    BuildOutcome o = build(Precision.FP32, ValidationGates.defaults().gate(Precision.FP32), dir);
    assertTrue(o.ok(), o.summary());
    assertEquals("cpu", o.deviceKey());
    assertTrue(o.backend().startsWith("onnxruntime-"), o.backend());
    assertEquals(0, o.engines(), "ONNX Runtime serializes no engines");
    for (SegmentOutcome s : o.segments()) {
      assertEquals(SegmentOutcome.Status.OK, s.status(), s.toString());
      assertEquals(64, s.validation().samples());
      assertTrue(s.validation().outputs().values().stream().allMatch(c -> c.relativeRmsError() < 1e-4), s.toString());
      assertTrue(Files.isRegularFile(dir.resolve("onnx/" + s.segment() + ".onnx")));
    }
    assertEquals(o.segments().stream().map(SegmentOutcome::segment).toList(), o.enginesAtLoadTime());

    GraphDef graph = SavedModelReader.read(dir.resolve(o.savedModel())).getMetaGraphs(0).getGraphDef();
    List<String> ops = graph.getNodeList().stream().map(NodeDef::getOp).toList();
    assertEquals(o.segments().size(), ops.stream().filter("TRTEngineOp"::equals).count(), ops.toString());
    assertTrue(ops.contains("Softmax"), "the native fallback stays in the graph: " + ops);
    assertFalse(Files.exists(dir.resolve("saved_model/assets")), "no engine is serialized on the CPU");

    ArtifactStore store = ArtifactStore.open(tmp.resolve("store").toUri(), new Configuration());
    TargetKey cpuKey = new TargetKey(model.name(), ContentDigest.ofSavedModel(SAMPLE), o.backend(), "cpu", "FP32");
    Manifest m = BuildPublisher.publish(store, cpuKey, dir, o, new BuildPublisher.Provenance("serving_default", null,
        null, null, Optional.empty(), null));
    assertTrue(m.files().stream().anyMatch(f -> f.path().equals("report/build-report.json")));
    assertTrue(m.files().stream().anyMatch(f -> f.path().equals("saved_model/saved_model.pb")));
    assertTrue(m.engines().isEmpty());
    assertEquals("serving_default", m.signature());

    TargetKey gpuKey = new TargetKey(model.name(), cpuKey.modelDigest(), "trt-10.6.0", "h200.sm90", "FP32");
    String refused = assertThrows(IllegalStateException.class, () -> BuildPublisher.publish(store, gpuKey, dir, o,
        new BuildPublisher.Provenance("serving_default", null, null, null, Optional.empty(), null))).getMessage();
    assertTrue(refused.contains("a key says what produced its artifact"), refused);
    assertTrue(store.manifest(gpuKey).isEmpty());
  }

  @Test
  void anInt8SegmentMissingItsGateKeepsItsMostSensitiveTensorInFp16AndPasses() throws Exception {
    Path saved = TestModels.outlierMlp(tmp.resolve("outlier"));
    ImportOptions options = ImportOptions.of(saved);
    ModelUnderBuild outlier = new ModelUnderBuild("outlier-mlp", SourceModel.read(options),
        SavedModelImporter.importModel(options).graph());
    List<Verifier.Batch> samples = new ArrayList<>();
    for (int b = 0; b < 4; b++) {
      samples.add(new Verifier.Batch(Map.of("images", HostTensor.ofFloats(new long[] {64, 32},
          TestModels.randomInput(100 + b, 64 * 32))), null));
    }
    CalibrationTable minMax = MinMaxTables.of(outlier.graph(), WholeGraphSegment.of(outlier.graph()),
        samples.stream().map(b -> Map.of("images:0", b.inputs().get("images"))).toList());
    AccuracyGate gate = ValidationGates.defaults().gate(Precision.INT8);

    BuildOutcome plain = build(outlier, Precision.INT8, minMax, samples, gate, tmp.resolve("plain"), false);
    assertTrue(plain.anyFailedGate(), "the outlier channels cost INT8 its gate: " + plain.summary());

    Path dir = tmp.resolve("mixed");
    StringWriter log = new StringWriter();
    BuildOutcome o = new PrecisionBuild(outlier, new OnnxRuntimeBackend(1), BuildSettings.builder().build(),
        new PrintWriter(log)).run(Precision.INT8, minMax, samples, gate, dir);
    assertTrue(o.ok(), o.summary() + "\n" + log);
    SegmentOutcome s = o.segments().get(0);
    MixedPrecision mixed = s.mixedPrecision();
    assertEquals(TestModels.OUTLIER_TENSOR, mixed.ranking().get(0), "ranked most sensitive: " + mixed.ranking());
    assertEquals(List.of(TestModels.OUTLIER_TENSOR), mixed.keptFloat());
    assertEquals(3, mixed.ranking().size(), mixed.ranking()::toString);
    assertEquals(List.of(3, 1), mixed.attempts().stream().map(MixedPrecision.Attempt::keptFloat).toList(),
        "all in float first, then bisected down to one");
    assertTrue(mixed.attempts().stream().allMatch(MixedPrecision.Attempt::passed), mixed.attempts()::toString);
    assertTrue(s.validation().violations().isEmpty() && s.reason().startsWith("mixed precision: 1 of 3"), s.reason());
    assertTrue(log.toString().contains("mixed precision: TRTEngineOp_000_000 missed its INT8 gate"), log::toString);
    assertEquals(Map.of(s.segment(), List.of(TestModels.OUTLIER_TENSOR)), o.keptFloat());
    assertTrue(o.summary().contains("mixed precision: 1 quantized tensor(s) kept in FP16"), o.summary());

    // What is on disk is the chosen build: two of the three tensors quantized.
    byte[] onnx = Files.readAllBytes(dir.resolve("onnx/" + s.segment() + ".onnx"));
    long q = io.trtfleet.onnx.proto.Onnx.ModelProto.parseFrom(onnx).getGraph().getNodeList().stream()
        .filter(n -> n.getOpType().equals("QuantizeLinear")).count();
    assertEquals(2, q);

    ArtifactStore store = ArtifactStore.open(tmp.resolve("store").toUri(), new Configuration());
    TargetKey key = new TargetKey(outlier.name(), ContentDigest.ofSavedModel(saved), o.backend(), "cpu", "INT8");
    Manifest m = BuildPublisher.publish(store, key, dir, o, new BuildPublisher.Provenance("serving_default", null,
        null, null, Optional.empty(), null));
    JsonNode kept = m.validation().path("mixed_precision").path("kept_float").path(s.segment());
    assertEquals(TestModels.OUTLIER_TENSOR, kept.path(0).asText(), m.validation().toString());
    JsonNode report = new ObjectMapper().readTree(dir.resolve("report/build-report.json").toFile());
    assertEquals(TestModels.OUTLIER_TENSOR, report.path("builds").path(0).path("segments").path(0)
        .path("mixedPrecision").path("keptFloat").path(0).asText(), report.toString());
  }

  @Test
  void fp8OnAGpuWithoutFp8TensorCoresIsOneLineAndWritesNothing() {
    io.trtfleet.tensorrt.DeviceIdentity a100 = new io.trtfleet.tensorrt.DeviceIdentity("NVIDIA A100-SXM4-40GB", 8, 0,
        40L << 30, 12020, 12060, 100600);
    PrecisionBuild b = new PrecisionBuild(model, new TensorRtBackend(a100,
        io.trtfleet.tensorrt.EngineBuildConfig.builder("FP32").build(), false), BuildSettings.builder().build(),
        new PrintWriter(new StringWriter()));
    CalibrationTable any = CalibrationTable.fromAmax("TRT-100600-EntropyCalibration2", Map.of("images:0", 1f));
    Path dir = tmp.resolve("fp8");
    String why = assertThrows(io.trtfleet.TrtfleetException.class, () -> b.run(Precision.FP8, any, heldOut,
        ValidationGates.defaults().gate(Precision.FP8), dir)).getMessage();
    assertTrue(why.startsWith("FP8 needs a GPU with FP8 tensor cores") && why.contains("8.0"), why);
    assertFalse(Files.exists(dir), "nothing written");
  }

  private static BuildOutcome build(ModelUnderBuild m, Precision p, CalibrationTable table, List<Verifier.Batch> data,
      AccuracyGate gate, Path dir, boolean mixedPrecision) {
    return new PrecisionBuild(m, new OnnxRuntimeBackend(1), BuildSettings.builder().mixedPrecision(mixedPrecision)
        .build(), new PrintWriter(new StringWriter())).run(p, table, data, gate, dir);
  }

  @Test
  void aSegmentOutsideItsGateFailsTheBuildAndIsNeverPublished() {
    Path dir = tmp.resolve("fp16");
    BuildOutcome o = build(Precision.FP16, new AccuracyGate(0, 1, 0), dir);
    assertFalse(o.ok());
    assertTrue(o.anyFailedGate());
    SegmentOutcome failed = o.segments().stream().filter(s -> s.status() == SegmentOutcome.Status.FAILED_GATE)
        .findFirst().orElseThrow();
    assertTrue(failed.reason().contains("relative RMS error"), failed.reason());
    ArtifactStore store = ArtifactStore.open(tmp.resolve("store").toUri(), new Configuration());
    TargetKey key = new TargetKey(model.name(), ContentDigest.ofSavedModel(SAMPLE), o.backend(), "cpu", "FP16");
    assertThrows(IllegalStateException.class, () -> BuildPublisher.publish(store, key, dir, o,
        new BuildPublisher.Provenance("serving_default", null, null, null, Optional.empty(), null)));
    assertTrue(store.manifest(key).isEmpty());
  }
}
