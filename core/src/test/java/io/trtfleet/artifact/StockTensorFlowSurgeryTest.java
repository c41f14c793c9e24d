package io.trtfleet.artifact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.graph.HostTensor;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.segment.Segment;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.reference.ReferenceRunner;
import io.trtfleet.segment.SegmentedGraph;
import io.trtfleet.segment.SegmenterOptions;
import io.trtfleet.tensorrt.EngineArtifact;
import io.trtfleet.tensorrt.EngineMetadata;
import io.trtfleet.testing.Fixtures;
import io.trtfleet.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;

/**
 * Proof of the graph surgery: the converted SavedModel, with each TRTEngineOp swapped for a
 * PartitionedCall of its segment_func (stock TensorFlow has no TRTEngineOp), loads with
 * SavedModelBundle and gives the original SavedModel's outputs bit for bit.
 */
class StockTensorFlowSurgeryTest {

  @TempDir Path tmp;

  @Test
  void backwardCompatibilityModel() {
    assertSameOutputs(TfTrtTestModel.export(tmp.resolve("bc")), TfTrtTestModel.SIGNATURE,
        SegmenterOptions.defaults(), 1, true);
  }

  @Test
  void fashionMnistSampleOneEngine() {
    assertSameOutputs(fashionMnist(), "serving_default", SegmenterOptions.defaults(), 1, true);
  }

  /** Two engines with TensorFlow's Reshape between them; one engine saved, one built at runtime. */
  @Test
  void fashionMnistSampleTwoEnginesAroundANativeOp() {
    assertSameOutputs(fashionMnist(), "serving_default", SegmenterOptions.builder().denylist("Reshape").build(), 2,
        true);
  }

  /**
   * An engine that binds its image input channel-last (NCHW dimensions over NHWC bytes, the default
   * build): TensorFlow relabels the tensor for it with a Reshape, and the native segment relabels back.
   */
  @Test
  void fashionMnistSampleChannelLastEngine() {
    assertSameOutputs(fashionMnist(), "serving_default", SegmenterOptions.defaults(), 1, true,
        EngineMetadata.IoTensor.HWC);
  }

  /**
   * An engine that binds its 8-channel image input channel-first (NCHW bytes): TensorFlow transposes the
   * tensor for it, and the native segment transposes back (with one channel a wrong order would pass).
   */
  @Test
  void depthwiseChannelFirstEngine() {
    assertSameOutputs(TestModels.depthwiseSeparable(tmp.resolve("dw")), TestModels.SIGNATURE_KEY,
        SegmenterOptions.defaults(), 1, true, EngineMetadata.IoTensor.NCHW);
  }

  @Test
  void cnnTwoEnginesAroundANativeMaxPool() {
    assertSameOutputs(TestModels.cnn(tmp.resolve("cnn")), TestModels.SIGNATURE_KEY,
        SegmenterOptions.builder().denylist("MaxPool").build(), 2, false);
  }

  private void assertSameOutputs(Path model, String signature, SegmenterOptions options, int engines,
      boolean saveFirstEngine) {
    assertSameOutputs(model, signature, options, engines, saveFirstEngine, EngineMetadata.IoTensor.LINEAR);
  }

  private void assertSameOutputs(Path model, String signature, SegmenterOptions options, int engines,
      boolean saveFirstEngine, String binding) {
    ImportOptions source = TfTrtFixtures.source(model, signature);
    SegmentedGraph segmented = TfTrtFixtures.segment(source, options);
    assertEquals(engines, segmented.segments().size());
    Segment first = segmented.segments().get(0);
    EngineArtifact engine = TfTrtFixtures.engine(first, 8);
    Map<String, EngineArtifact> built = saveFirstEngine
        ? Map.of(first.name(), bound(engine, binding)) : Map.of();
    Path out = tmp.resolve("converted-" + engines + "-" + model.getFileName() + "-" + binding);
    ConvertedSavedModel written = new TfTrtSavedModelWriter(TrtEngineOpSettings.defaults())
        .write(source, "model", segmented, built, out);
    if (!binding.equals(EngineMetadata.IoTensor.LINEAR)) {
      assertShapedForTheEngine(read(written.savedModelDir()).getMetaGraphs(0).getGraphDef(), first,
          binding.equals(EngineMetadata.IoTensor.HWC) ? "Reshape" : "Transpose");
    }
    Path stock = StockTfSurgery.rewrite(written.savedModelDir(), tmp.resolve("stock-" + engines + "-"
        + model.getFileName() + "-" + binding));
    assertEquals(engines, StockTfSurgery.engines(read(written.savedModelDir()).getMetaGraphs(0).getGraphDef()).size());
    assertEquals(0, StockTfSurgery.engines(read(stock).getMetaGraphs(0).getGraphDef()).size());

    long batch = 3;
    Map<String, float[]> inputs = TfTrtFixtures.randomInputs(model, signature, batch);
    Map<String, float[]> original = TfTrtFixtures.run(model, signature, inputs, batch);
    Map<String, float[]> frozen = frozenReference(segmented, inputs, batch);
    Map<String, float[]> actual = TfTrtFixtures.run(stock, signature, inputs, batch);
    assertFalse(original.isEmpty());
    assertEquals(original.keySet(), actual.keySet());
    for (String key : original.keySet()) {
      assertArrayEquals(frozen.get(key), actual.get(key), key + ": converted model differs from the frozen graph");
      // Bit-identical to the original too where TensorFlow runs the same kernels: TF1 models, whose
      // variables TensorFlow reads as it reads our constants. A Keras/TF2 model runs its layers inside a
      // StatefulPartitionedCall over variables, which TensorFlow optimizes differently from the frozen
      // top-level graph (likely Grappler's fusions and constant folding, not verified op by op): the
      // last float bits differ (about 1e-6 relative), and the frozen graph itself is matched exactly.
      if (TF2_MODELS.contains(signature + "@" + model.getFileName())) {
        assertClose(original.get(key), actual.get(key), key);
      } else {
        assertArrayEquals(original.get(key), actual.get(key), key + ": converted model differs from the original");
      }
    }
  }

  private static EngineArtifact bound(EngineArtifact engine, String binding) {
    return switch (binding) {
      case EngineMetadata.IoTensor.HWC -> TfTrtFixtures.channelLast(engine);
      case EngineMetadata.IoTensor.NCHW -> TfTrtFixtures.channelFirst(engine);
      default -> engine;
    };
  }

  /**
   * The engine reads {@code op} (a Reshape or a Transpose) of its NHWC input, declared NCHW, and its native
   * segment undoes it with the same op first.
   */
  private static void assertShapedForTheEngine(GraphDef g, Segment engine, String op) {
    NodeDef trt = g.getNodeList().stream().filter(n -> n.getName().equals(engine.name())).findFirst().orElseThrow();
    NodeDef shaped = g.getNodeList().stream().filter(n -> n.getName().equals(trt.getInput(0))).findFirst().orElseThrow();
    assertEquals(op, shaped.getOp());
    long[] nhwc = engine.inputs().get(0).shape();
    assertArrayEquals(new long[] {nhwc[0], nhwc[3], nhwc[1], nhwc[2]},
        TensorSpec.dims(trt.getAttrMap().get("input_shapes").getList().getShape(0)));
    FunctionDef f = g.getLibrary().getFunctionList().stream()
        .filter(fn -> fn.getSignature().getName().equals(engine.name() + "_native_segment")).findFirst().orElseThrow();
    assertTrue(f.getNodeDefList().stream().anyMatch(n -> n.getOp().equals(op) && n.getInput(0).equals("input_0")));
    assertTrue(f.getNodeDefList().stream().filter(n -> !n.getName().startsWith("input_0_nhwc"))
        .noneMatch(n -> n.getInputList().contains("input_0")), "only the " + op + " reads the argument");
    // Square test images hide a wrong order from the outputs: pin both orders.
    String order = op.equals("Transpose") ? "/perm" : "/order";
    assertEquals(List.of(0, 3, 1, 2), ints(g.getNodeList(), shaped.getName() + order), "to the engine");
    assertEquals(List.of(0, 2, 3, 1), ints(f.getNodeDefList(), "input_0_nhwc" + order), "back to TensorFlow");
  }

  private static List<Integer> ints(List<NodeDef> nodes, String constName) {
    return nodes.stream().filter(n -> n.getName().equals(constName)).findFirst().orElseThrow()
        .getAttrMap().get("value").getTensor().getIntValList();
  }

  private static final java.util.Set<String> TF2_MODELS = java.util.Set.of("serving_default@saved_model");

  private static void assertClose(float[] expected, float[] actual, String key) {
    assertEquals(expected.length, actual.length, key);
    for (int i = 0; i < expected.length; i++) {
      float tolerance = 1e-5f * Math.max(1f, Math.abs(expected[i]));
      assertEquals(expected[i], actual[i], tolerance, key + "[" + i + "]");
    }
  }

  private static Map<String, float[]> frozenReference(SegmentedGraph segmented, Map<String, float[]> inputs,
      long batch) {
    Map<String, HostTensor> feed = new java.util.HashMap<>();
    for (io.trtfleet.graph.Signature.Argument a : segmented.graph().signature().inputs()) {
      long[] shape = a.tensor().shape();
      shape[0] = batch;
      feed.put(a.key(), HostTensor.ofFloats(shape, inputs.get(a.key())));
    }
    Map<String, float[]> out = new java.util.HashMap<>();
    try (ReferenceRunner runner = new ReferenceRunner(segmented.graph(), 1)) {
      runner.runSignature(feed).forEach((k, v) -> out.put(k, v.floats()));
    }
    return out;
  }

  private static SavedModel read(Path dir) {
    try {
      return SavedModel.parseFrom(Files.readAllBytes(dir.resolve("saved_model.pb")));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Path fashionMnist() {
    return Fixtures.fashionMnistModel();
  }

}
