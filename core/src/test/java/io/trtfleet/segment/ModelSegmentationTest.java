package io.trtfleet.segment;

import io.trtfleet.Precision;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.testing.Fixtures;
import io.trtfleet.testing.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.DataType;

/** Segmentation of real SavedModels: the test models and TensorFlow Serving's fixtures. */
class ModelSegmentationTest {

  @TempDir Path tmp;

  static FrozenGraph load(Path dir) {
    return SavedModelImporter.importModel(ImportOptions.of(dir)).graph();
  }

  static SegmentedGraph segment(Path dir, SegmenterOptions options) {
    SegmentedGraph s = new Segmenter(options).segment(load(dir));
    SegmenterTest.assertQuotientIsAcyclic(s);
    return s;
  }

  /** Every node but the signature's inputs and outputs is in the one engine. */
  static void assertOneEngineWithEverythingConvertible(SegmentedGraph s) {
    assertEquals(1, s.segments().size(), () -> "segments " + s.segments() + ", not converted " + s.notConverted());
    assertEquals(s.convertibleNodes(), s.convertedNodes(), () -> "not converted: " + s.notConverted());
  }

  @Test
  void cnnIsOneEngineFedByTheImagesAndReadByLogitsAndSoftmax() {
    SegmentedGraph s = segment(TestModels.cnn(tmp.resolve("cnn")), SegmenterOptions.defaults());
    assertOneEngineWithEverythingConvertible(s);
    Segment e = s.segments().get(0);
    assertEquals(List.of(new TensorSpec("images:0", DataType.DT_FLOAT, new long[] {-1, 28, 28, 1})), e.inputs());
    assertEquals(List.of(new TensorSpec("logits_dense/BiasAdd:0", DataType.DT_FLOAT, new long[] {-1, 10})),
        e.outputs());
    Map<String, Integer> ops = s.opCounts(e);
    assertEquals(2, ops.get("Conv2D"));
    assertEquals(1, ops.get("FusedBatchNormV3"));
    assertEquals(1, ops.get("MatMul"));
    assertTrue(s.notConverted().stream().map(Rejection::node).toList()
        .containsAll(List.of("images", "logits", "probabilities")));
  }

  @Test
  void mlpResidualAndDepthwiseModelsAreOneEngineEach() {
    assertOneEngineWithEverythingConvertible(segment(TestModels.mlp(tmp.resolve("mlp")), SegmenterOptions.defaults()));
    assertOneEngineWithEverythingConvertible(
        segment(TestModels.residualBlock(tmp.resolve("res")), SegmenterOptions.defaults()));
    assertOneEngineWithEverythingConvertible(
        segment(TestModels.depthwiseSeparable(tmp.resolve("dw")), SegmenterOptions.defaults()));
  }

  @Test
  void denylistAndMinimumSegmentSizeChangeTheCnnAsTfTrtWould() {
    Path dir = TestModels.cnn(tmp.resolve("cnn"));
    SegmentedGraph noPool = segment(dir, SegmenterOptions.builder().denylist("MaxPool").build());
    assertEquals(2, noPool.segments().size());
    assertEquals("MaxPool: in the op denylist", noPool.notConverted().stream()
        .filter(r -> r.op().equals("MaxPool")).findFirst().orElseThrow().reason());
    int before = noPool.segments().get(0).nodes().size();
    SegmentedGraph onlyBig = segment(dir, SegmenterOptions.builder().denylist("MaxPool")
        .minimumSegmentSize(before + 1).build());
    assertEquals(1, onlyBig.segments().size());
    assertTrue(onlyBig.segments().get(0).nodes().size() > before);
    assertEquals(0, segment(dir, SegmenterOptions.builder().minimumSegmentSize(1000).build()).segments().size());
  }

  @Test
  void int8RejectsNothingInTheCnnBecauseItsWeightsAreConstants() {
    assertOneEngineWithEverythingConvertible(segment(TestModels.cnn(tmp.resolve("cnn")),
        SegmenterOptions.builder().precision(Precision.INT8).build()));
  }

  @Test
  void halfPlusTwoFixturesSegmentTheirArithmetic() {
    SegmentedGraph tf1 = segment(Fixtures.servingModel("saved_model_half_plus_two_cpu"), SegmenterOptions.defaults());
    assertOneEngineWithEverythingConvertible(tf1);
    assertEquals(4, tf1.convertedNodes());
    assertEquals(6, tf1.totalNodes());
  }

  /**
   * The TF2 model's input is [-1]: nothing but a batch dimension, which static shapes cannot feed; the
   * default (dynamic shapes, inputs static but for the batch) can.
   */
  @Test
  void rankOneInputNeedsDynamicShapes() {
    Path dir = Fixtures.servingModel("saved_model_half_plus_two_tf2_cpu");
    SegmentedGraph fixed = segment(dir, SegmenterOptions.builder().shapes(ShapeMode.STATIC).build());
    assertTrue(fixed.segments().isEmpty());
    assertEquals("Mul: segment input serving_default_x:0 has no non-batch dimension (static shapes)",
        fixed.notConverted().stream().filter(r -> r.op().equals("Mul")).findFirst().orElseThrow().reason());
    assertOneEngineWithEverythingConvertible(segment(dir, SegmenterOptions.builder().dynamicShapes(true).build()));
    assertOneEngineWithEverythingConvertible(segment(dir, SegmenterOptions.defaults()));
  }

  static Path fashionMnist() {
    return Fixtures.fashionMnistModel();
  }

  /**
   * The trained sample: every node but images, logits and probabilities (signature input and outputs)
   * is in the one engine: 23 of 26 nodes, 100% of the convertible ones.
   */
  @Test
  void trainedFashionMnistCnnIsOneEngineWithAllConvertibleOps() {
    SegmentedGraph s = segment(fashionMnist(), SegmenterOptions.defaults());
    assertOneEngineWithEverythingConvertible(s);
    Segment e = s.segments().get(0);
    assertEquals("TRTEngineOp_000_000", e.name());
    assertEquals(List.of(new TensorSpec("images:0", DataType.DT_FLOAT, new long[] {-1, 28, 28, 1})), e.inputs());
    assertEquals(List.of(new TensorSpec("dense2/BiasAdd:0", DataType.DT_FLOAT, new long[] {-1, 10})), e.outputs());
    assertEquals(Map.of("BiasAdd", 4, "Const", 9, "Conv2D", 2, "MatMul", 2, "MaxPool", 2, "Relu", 3, "Reshape", 1),
        s.opCounts(e));
    assertEquals(23, s.convertedNodes());
    assertEquals(26, s.totalNodes());
    assertEquals(List.of("images", "logits", "probabilities"),
        s.notConverted().stream().map(Rejection::node).toList());
  }
}
