package io.trtfleet.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.graph.Signature;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.testing.Fixtures;
import io.trtfleet.testing.TestModels;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;

/**
 * The frozen graph computes exactly what the SavedModel computes: same inputs, bit-identical outputs
 * from TensorFlow's own SavedModelBundle and from the frozen GraphDef. Both sessions run with
 * Grappler off and one thread: with it on, constant weights let it fuse kernels differently than
 * with variables, which moves results by an ulp for reasons unrelated to the import.
 */
class FrozenGraphEquivalenceTest {

  private static final ConfigProto PLAIN = ConfigProto.newBuilder()
      .setIntraOpParallelismThreads(1).setInterOpParallelismThreads(1)
      .setGraphOptions(GraphOptions.newBuilder().setRewriteOptions(
          RewriterConfig.newBuilder().setDisableMetaOptimizer(true)))
      .build();

  @TempDir
  static Path tmp;

  static Stream<Arguments> models() {
    return Stream.of(
        Arguments.of("mlp", (Function<Path, Path>) TestModels::mlp),
        Arguments.of("cnn", (Function<Path, Path>) TestModels::cnn),
        Arguments.of("residual", (Function<Path, Path>) TestModels::residualBlock),
        Arguments.of("depthwise", (Function<Path, Path>) TestModels::depthwiseSeparable),
        Arguments.of("tf2-fixture", (Function<Path, Path>)
            dir -> Fixtures.servingModel("saved_model_half_plus_two_tf2_cpu")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void frozenGraphMatchesSavedModelBundle(String name, Function<Path, Path> build) {
    Path dir = build.apply(tmp.resolve(name));
    FrozenGraph frozen = SavedModelImporter.importModel(ImportOptions.of(dir)).graph();
    assertTrue(frozen.variablesFrozen() > 0, "the model has variables to freeze");
    Signature.Argument input = frozen.signature().inputs().get(0);
    long[] shape = input.tensor().shape();
    shape[0] = shape.length > 1 ? 3 : shape[0] < 0 ? 1 : shape[0];
    float[] values = TestModels.randomInput(7, (int) HostTensor.elementCount(shape));
    HostTensor x = HostTensor.ofFloats(shape, values);

    Map<String, HostTensor> ours;
    try (ReferenceRunner runner = new ReferenceRunner(frozen, PLAIN)) {
      ours = runner.runSignature(Map.of(input.key(), x));
    }
    try (SavedModelBundle bundle = SavedModelBundle.loader(dir.toString()).withTags("serve")
            .withConfigProto(PLAIN).load();
        Tensor in = ReferenceRunner.toTensor(x);
        Result theirs = bundle.function("serving_default").call(Map.of(input.key(), in))) {
      assertEquals(frozen.signature().outputs().size(), ours.size());
      for (Signature.Argument out : frozen.signature().outputs()) {
        HostTensor expected = ReferenceRunner.toHost(theirs.get(out.key()).orElseThrow());
        HostTensor actual = ours.get(out.key());
        assertArrayEquals(expected.shape(), actual.shape(), out.key());
        assertArrayEquals(expected.floats(), actual.floats(), 0f, name + " output " + out.key());
      }
    }
  }
}
