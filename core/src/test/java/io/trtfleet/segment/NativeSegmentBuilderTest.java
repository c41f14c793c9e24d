package io.trtfleet.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.graph.Signature;
import io.trtfleet.reference.ReferenceRunner;
import io.trtfleet.testing.TestModels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.types.TFloat32;

/** The native segments compute what the original graph computes. */
class NativeSegmentBuilderTest {

  @TempDir Path tmp;

  @Test
  void functionDefHasArgumentsResultsAndBodyReferences() {
    SegmentedGraph s = new Segmenter(SegmenterOptions.defaults())
        .segment(ModelSegmentationTest.load(TestModels.cnn(tmp.resolve("cnn"))));
    FunctionDef f = s.nativeSegments().get("TRTEngineOp_000_000");
    assertEquals("TRTEngineOp_000_000_native_segment", f.getSignature().getName());
    assertEquals(1, f.getSignature().getInputArgCount());
    assertEquals("input_0", f.getSignature().getInputArg(0).getName());
    assertEquals(Map.of("output_0", "logits_dense/BiasAdd:output:0"), f.getRetMap());
    assertEquals(s.segments().get(0).nodes().size(), f.getNodeDefCount());
    assertEquals(List.of("input_0", "conv1/kernel:output:0"),
        f.getNodeDefList().stream().filter(n -> n.getName().equals("conv1/Conv2d")).findFirst().orElseThrow()
            .getInputList());
  }

  @Test
  void cnnWithOneNativeSegmentGivesTheSameOutputs() {
    assertFallbackMatches(TestModels.cnn(tmp.resolve("cnn")), SegmenterOptions.defaults(), 1, 28, 28, 1);
  }

  /** Two segments around a denylisted MaxPool: engine 0 feeds TensorFlow, which feeds engine 1. */
  @Test
  void cnnSplitInTwoSegmentsGivesTheSameOutputs() {
    assertFallbackMatches(TestModels.cnn(tmp.resolve("cnn")),
        SegmenterOptions.builder().denylist("MaxPool").build(), 2, 28, 28, 1);
  }

  @Test
  void mlpAndResidualBlockGiveTheSameOutputs() {
    assertFallbackMatches(TestModels.mlp(tmp.resolve("mlp")), SegmenterOptions.defaults(), 1, 784);
    assertFallbackMatches(TestModels.residualBlock(tmp.resolve("res")),
        SegmenterOptions.builder().denylist("Mean").build(), 2, 16, 16, 8);
  }

  @Test
  void trainedFashionMnistNativeSegmentGivesTheSameOutputs() {
    assertFallbackMatches(ModelSegmentationTest.fashionMnist(), SegmenterOptions.defaults(), 1, 28, 28, 1);
    assertFallbackMatches(ModelSegmentationTest.fashionMnist(),
        SegmenterOptions.builder().denylist("Reshape").build(), 2, 28, 28, 1);
  }

  @Test
  void encoderNativeSegmentsGiveTheSameOutputs() throws Exception {
    assertFallbackMatches(EncoderModel.export(tmp.resolve("encoder"), false), SegmenterOptions.defaults(), 1,
        EncoderModel.SEQ, EncoderModel.MODEL);
    assertFallbackMatches(EncoderModel.export(tmp.resolve("einsum"), true),
        SegmenterOptions.builder().dynamicShapes(true).build(), 1, EncoderModel.SEQ, EncoderModel.MODEL);
  }

  private static void assertFallbackMatches(Path model, SegmenterOptions options, int engines, long... inner) {
    FrozenGraph frozen = ModelSegmentationTest.load(model);
    SegmentedGraph s = new Segmenter(options).segment(frozen);
    assertEquals(engines, s.segments().size());
    long[] shape = new long[inner.length + 1];
    shape[0] = 3;
    System.arraycopy(inner, 0, shape, 1, inner.length);
    int count = (int) HostTensor.elementCount(shape);
    HostTensor x = HostTensor.ofFloats(shape, TestModels.randomInput(11, count));
    Map<String, HostTensor> expected;
    try (ReferenceRunner runner = new ReferenceRunner(frozen, 1)) {
      expected = runner.runSignature(Map.of(frozen.signature().inputs().get(0).key(), x));
    }
    GraphDef fallback = NativeFallbackGraph.graphDef(s);
    assertFalse(fallback.getNodeList().stream().anyMatch(n -> s.ownerOf(n.getName()).isPresent()),
        "segment nodes are replaced");
    Signature sig = frozen.signature();
    try (Graph g = new Graph()) {
      g.importGraphDef(fallback);
      try (Session session = new Session(g);
          Tensor in = TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(x.floats()))) {
        Session.Runner r = session.runner().feed(sig.inputs().get(0).tensor().name(), in);
        sig.outputs().forEach(a -> r.fetch(a.tensor().name()));
        try (Result result = r.run()) {
          for (int i = 0; i < sig.outputs().size(); i++) {
            float[] actual = floats((TFloat32) result.get(i));
            assertArrayEquals(expected.get(sig.outputs().get(i).key()).floats(), actual,
                sig.outputs().get(i).key());
          }
        }
      }
    }
  }

  private static float[] floats(TFloat32 t) {
    byte[] bytes = new byte[(int) t.asRawTensor().numBytes()];
    t.asRawTensor().data().read(bytes);
    float[] out = new float[bytes.length / 4];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }
}
