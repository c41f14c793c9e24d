package io.trtfleet.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;

class TestModelsTest {

  private static final int BATCH = 2;

  @TempDir Path tmp;

  @Test
  void mlpRunsAfterReload() {
    Path dir = TestModels.mlp(tmp.resolve("mlp"));
    Map<String, float[]> out = run(dir, Shape.of(BATCH, 784), Set.of("logits", "probabilities"),
        Map.of("logits", Shape.of(BATCH, 10), "probabilities", Shape.of(BATCH, 10)));
    assertRowsSumToOne(out.get("probabilities"), 10);
    assertOps(dir, "VariableV2", "MatMul", "BiasAdd", "AddV2", "Relu", "Tanh", "Sigmoid", "Softmax");
  }

  @Test
  void cnnRunsAfterReload() {
    Path dir = TestModels.cnn(tmp.resolve("cnn"));
    Map<String, float[]> out = run(dir, Shape.of(BATCH, 28, 28, 1), Set.of("logits", "probabilities"),
        Map.of("logits", Shape.of(BATCH, 10), "probabilities", Shape.of(BATCH, 10)));
    assertRowsSumToOne(out.get("probabilities"), 10);
    assertOps(dir, "Conv2D", "BiasAdd", "FusedBatchNormV3", "Relu", "Relu6", "MaxPool", "AvgPool",
        "Reshape", "MatMul", "Softmax");
  }

  @Test
  void residualBlockRunsAfterReload() {
    Path dir = TestModels.residualBlock(tmp.resolve("residual"));
    Map<String, float[]> out = run(dir, Shape.of(BATCH, 16, 16, 8), Set.of("logits", "probabilities"),
        Map.of("logits", Shape.of(BATCH, 10), "probabilities", Shape.of(BATCH, 10)));
    assertRowsSumToOne(out.get("probabilities"), 10);
    assertOps(dir, "Conv2D", "FusedBatchNormV3", "AddV2", "Relu", "Mean", "MatMul", "BiasAdd");
  }

  @Test
  void depthwiseSeparableRunsAfterReload() {
    Path dir = TestModels.depthwiseSeparable(tmp.resolve("depthwise"));
    run(dir, Shape.of(BATCH, 16, 16, 8), Set.of("features"), Map.of("features", Shape.of(BATCH, 16, 16, 16)));
    assertOps(dir, "DepthwiseConv2dNative", "BiasAdd", "Relu6", "Conv2D");
  }

  @Test
  void exportsAreDeterministic() {
    Path first = TestModels.cnn(tmp.resolve("a"));
    Path second = TestModels.cnn(tmp.resolve("b"));
    Shape shape = Shape.of(BATCH, 28, 28, 1);
    Map<String, Shape> shapes = Map.of("logits", Shape.of(BATCH, 10));
    assertArrayEquals(run(first, shape, Set.of("logits"), shapes).get("logits"),
        run(second, shape, Set.of("logits"), shapes).get("logits"));
  }

  @Test
  void randomInputIsSeededAndInUnitRange() {
    float[] a = TestModels.randomInput(7, 100);
    assertArrayEquals(a, TestModels.randomInput(7, 100));
    for (float v : a) {
      assertTrue(v >= 0f && v < 1f, "value out of [0,1): " + v);
    }
  }

  /** Loads the SavedModel, calls serving_default on a random batch and checks shapes and finiteness. */
  private static Map<String, float[]> run(Path dir, Shape inputShape, Set<String> outputs,
      Map<String, Shape> expectedShapes) {
    assertTrue(Files.isRegularFile(dir.resolve("variables/variables.index")), "no variables checkpoint");
    float[] input = TestModels.randomInput(11, (int) inputShape.size());
    try (SavedModelBundle bundle = SavedModelBundle.load(dir.toString(), TestModels.SERVE_TAG);
        TFloat32 images = TFloat32.tensorOf(inputShape, DataBuffers.of(input));
        Result result = bundle.function(TestModels.SIGNATURE_KEY)
            .call(Map.of(TestModels.INPUT_KEY, images))) {
      return outputs.stream().collect(Collectors.toMap(Function.identity(), name -> {
        Tensor tensor = result.get(name).orElseThrow(() -> new AssertionError("no output " + name));
        assertEquals(expectedShapes.get(name), tensor.shape(), "shape of " + name);
        float[] values = toArray((TFloat32) tensor);
        for (float v : values) {
          assertTrue(Float.isFinite(v), name + " has a non-finite value " + v);
        }
        return values;
      }));
    }
  }

  private static float[] toArray(TFloat32 tensor) {
    float[] values = new float[(int) tensor.shape().size()];
    FloatDataBuffer buffer = DataBuffers.of(values, false, false);
    tensor.copyTo(buffer);
    return values;
  }

  private static void assertRowsSumToOne(float[] probabilities, int classes) {
    for (int row = 0; row < probabilities.length / classes; row++) {
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        sum += probabilities[row * classes + c];
      }
      assertEquals(1.0, sum, 1e-5, "row " + row + " of probabilities");
    }
  }

  /** The exported graph must hold the op types the importer is tested against. */
  private static void assertOps(Path dir, String... types) {
    try (SavedModelBundle bundle = SavedModelBundle.load(dir.toString(), TestModels.SERVE_TAG)) {
      Set<String> present = bundle.metaGraphDef().getGraphDef().getNodeList().stream()
          .map(NodeDef::getOp).collect(Collectors.toSet());
      for (String type : types) {
        assertTrue(present.contains(type), "no " + type + " op in " + present);
      }
    }
  }
}
