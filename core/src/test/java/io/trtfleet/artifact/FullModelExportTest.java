package io.trtfleet.artifact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.TrtfleetException;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.segment.Segment;
import io.trtfleet.segment.SegmentedGraph;
import io.trtfleet.segment.SegmenterOptions;
import io.trtfleet.tensorrt.EngineArtifact;
import io.trtfleet.tensorrt.EngineMetadata;
import io.trtfleet.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole-signature engines: engines/<model>.plan and the Triton model repository entry. */
class FullModelExportTest {

  @TempDir Path tmp;

  @Test
  void depthwiseModelIsOneEngineWrittenAsPlanAndTritonModel() throws Exception {
    ImportOptions source = TfTrtFixtures.source(TestModels.depthwiseSeparable(tmp.resolve("dw")),
        TestModels.SIGNATURE_KEY);
    SegmentedGraph segmented = TfTrtFixtures.segment(source, SegmenterOptions.defaults());
    Segment s = segmented.segments().get(0);
    EngineArtifact engine = TfTrtFixtures.engine(s, 16);
    ConvertedSavedModel written = new TfTrtSavedModelWriter(TrtEngineOpSettings.defaults())
        .withTriton(new TritonRepositoryWriter.Options(1, 2, true))
        .write(source, "depthwise", segmented, Map.of(s.name(), engine), tmp.resolve("out"));

    Path plan = tmp.resolve("out/engines/depthwise.plan");
    assertEquals(plan, written.fullModelPlan().orElseThrow());
    assertArrayEquals(engine.plan(), Files.readAllBytes(plan), "the plan bytes, usable with TensorRT alone");
    Path triton = written.tritonModel().orElseThrow();
    assertArrayEquals(engine.plan(), Files.readAllBytes(triton.resolve("1/model.plan")));
    assertEquals("""
        name: "depthwise"
        platform: "tensorrt_plan"
        max_batch_size: 16
        input [
          {
            # signature key: images
            name: "images:0"
            data_type: TYPE_FP32
            dims: [ 16, 16, 8 ]
          }
        ]
        output [
          {
            # signature key: features
            name: "pointwise/Conv2d:0"
            data_type: TYPE_FP32
            dims: [ 16, 16, 16 ]
          }
        ]
        instance_group [
          {
            count: 2
            kind: KIND_GPU
          }
        ]
        dynamic_batching { }
        """, Files.readString(triton.resolve("config.pbtxt")));
  }

  /** An engine reading NHWC images in place: Triton gets its NCHW dims and passes the bytes through. */
  @Test
  void channelLastInputHasEngineDimsAndNonLinearFormat() {
    String config = depthwiseTritonConfig(TfTrtFixtures::channelLast);
    assertTrue(config.contains("""
            name: "images:0"
            data_type: TYPE_FP32
            dims: [ 8, 16, 16 ]
            is_non_linear_format_io: true
        """), config);
    assertTrue(config.contains("dims: [ 16, 16, 16 ]\n  }\n]\ninstance_group"), "outputs stay linear: " + config);
    assertEquals(1, config.split("is_non_linear_format_io").length - 1, config);
  }

  /** An engine of NCHW bytes: Triton gets its NCHW dims and tells clients the layout; nothing passes as-is. */
  @Test
  void channelFirstInputHasEngineDimsAndNchwFormat() {
    String config = depthwiseTritonConfig(TfTrtFixtures::channelFirst);
    assertTrue(config.contains("""
            name: "images:0"
            data_type: TYPE_FP32
            dims: [ 8, 16, 16 ]
            format: FORMAT_NCHW
        """), config);
    assertFalse(config.contains("is_non_linear_format_io"), config);
    assertEquals(1, config.split("FORMAT_NCHW").length - 1, "outputs have no format: " + config);
  }

  /** Triton refuses a format over four dims: with a fixed batch the NCHW dims stand alone. */
  @Test
  void channelFirstInputWithAFixedBatchHasNoFormat() {
    FullModelPlan dynamic = depthwisePlan(TfTrtFixtures::channelFirst);
    FullModelPlan fixed = new FullModelPlan("depthwise", dynamic.engine(),
        dynamic.inputs().stream().map(b -> new FullModelPlan.Binding(b.signatureKey(),
            new io.trtfleet.graph.TensorSpec(b.tensor().name(), b.tensor().dtype(), new long[] {4, 16, 16, 8}))).toList(),
        dynamic.outputs());
    String config = TritonRepositoryWriter.config(fixed, TritonRepositoryWriter.Options.defaults());
    assertTrue(config.contains("max_batch_size: 0\n"), config);
    assertTrue(config.contains("dims: [ -1, 8, 16, 16 ]\n  }"), config);
    assertFalse(config.contains("format"), config);
  }

  /** The Triton config of the depthwise model's whole-model engine, its image input bound by {@code bind}. */
  private String depthwiseTritonConfig(UnaryOperator<EngineArtifact> bind) {
    return TritonRepositoryWriter.config(depthwisePlan(bind), TritonRepositoryWriter.Options.defaults());
  }

  private FullModelPlan depthwisePlan(UnaryOperator<EngineArtifact> bind) {
    ImportOptions source = TfTrtFixtures.source(TestModels.depthwiseSeparable(tmp.resolve("dw")),
        TestModels.SIGNATURE_KEY);
    SegmentedGraph segmented = TfTrtFixtures.segment(source, SegmenterOptions.defaults());
    Segment s = segmented.segments().get(0);
    EngineArtifact engine = bind.apply(TfTrtFixtures.engine(s, 16));
    return FullModelPlan.of("depthwise", segmented, Map.of(s.name(), engine)).orElseThrow();
  }

  /** The backward-compatibility model's engine also covers its signature (two inputs, Identity output). */
  @Test
  void twoInputModelPlanPairsEveryBindingWithItsSignatureKey() {
    ImportOptions source = TfTrtFixtures.source(TfTrtTestModel.export(tmp.resolve("bc")), TfTrtTestModel.SIGNATURE);
    SegmentedGraph segmented = TfTrtFixtures.segment(source, SegmenterOptions.defaults());
    Segment s = segmented.segments().get(0);
    FullModelPlan plan = FullModelPlan.of("bc", segmented, Map.of(s.name(), TfTrtFixtures.engine(s, 4)))
        .orElseThrow();
    assertEquals(List.of("inp1", "inp2"), plan.inputs().stream().map(FullModelPlan.Binding::signatureKey).toList());
    assertEquals(List.of("output_0"), plan.outputs().stream().map(FullModelPlan.Binding::signatureKey).toList());
    String config = TritonRepositoryWriter.config(plan, TritonRepositoryWriter.Options.defaults());
    assertTrue(config.contains("max_batch_size: 4\n"), config);
    assertTrue(config.contains("dims: [ 1, 1 ]"), config);
    assertTrue(!config.contains("dynamic_batching"), config);
  }

  @Test
  void noPlanWhenTheEngineLeavesPartOfTheSignatureToTensorFlow() {
    ImportOptions source = TfTrtFixtures.source(TestModels.cnn(tmp.resolve("cnn")), TestModels.SIGNATURE_KEY);
    SegmentedGraph segmented = TfTrtFixtures.segment(source, SegmenterOptions.defaults());
    Segment s = segmented.segments().get(0);
    // The signature's Softmax (probabilities) is a signature output node: TensorFlow computes it.
    assertTrue(FullModelPlan.of("cnn", segmented, Map.of(s.name(), TfTrtFixtures.engine(s, 4))).isEmpty());
  }

  @Test
  void staticBatchGivesMaxBatchSizeZeroAndFullDims() {
    ImportOptions source = TfTrtFixtures.source(TfTrtTestModel.export(tmp.resolve("bc")), TfTrtTestModel.SIGNATURE);
    SegmentedGraph segmented = TfTrtFixtures.segment(source, SegmenterOptions.defaults());
    Segment s = segmented.segments().get(0);
    FullModelPlan dynamic = FullModelPlan.of("bc", segmented, Map.of(s.name(), TfTrtFixtures.engine(s, 4)))
        .orElseThrow();
    FullModelPlan fixed = new FullModelPlan("bc", dynamic.engine(),
        dynamic.inputs().stream().map(b -> new FullModelPlan.Binding(b.signatureKey(),
            new io.trtfleet.graph.TensorSpec(b.tensor().name(), b.tensor().dtype(), new long[] {4, 1, 1}))).toList(),
        dynamic.outputs());
    String config = TritonRepositoryWriter.config(fixed, TritonRepositoryWriter.Options.defaults());
    assertTrue(config.contains("max_batch_size: 0\n"), config);
    assertTrue(config.contains("dims: [ 4, 1, 1 ]"), config);
  }

  @Test
  void dynamicBatchWithoutProfileIsAClearError() {
    ImportOptions source = TfTrtFixtures.source(TfTrtTestModel.export(tmp.resolve("bc")), TfTrtTestModel.SIGNATURE);
    SegmentedGraph segmented = TfTrtFixtures.segment(source, SegmenterOptions.defaults());
    Segment s = segmented.segments().get(0);
    EngineMetadata m = TfTrtFixtures.engine(s, 4).metadata();
    EngineArtifact noProfile = new EngineArtifact(new byte[] {1}, new EngineMetadata(m.segment(), m.deviceKey(),
        m.gpuName(), m.computeCapability(), m.tensorRtVersion(), m.precision(), List.of(), m.io(), 1, 0));
    FullModelPlan plan = FullModelPlan.of("bc", segmented, Map.of(s.name(), noProfile)).orElseThrow();
    TrtfleetException e = assertThrows(TrtfleetException.class,
        () -> TritonRepositoryWriter.config(plan, TritonRepositoryWriter.Options.defaults()));
    assertTrue(e.getMessage().contains("max_batch_size"), e.getMessage());
  }
}
