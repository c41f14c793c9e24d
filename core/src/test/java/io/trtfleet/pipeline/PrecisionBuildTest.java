package io.trtfleet.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.Precision;
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
