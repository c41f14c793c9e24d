package io.trtfleet.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Small deterministic models exported as TF1-style SavedModels (tag {@code serve}, signature
 * {@code serving_default}, {@code VariableV2} weights in {@code variables/}), built with TF Java
 * graph ops so tests need no Python. The same method always writes the same weights.
 *
 * <p>Every model has the float input {@value #INPUT_KEY} with batch dimension -1. Outputs:
 *
 * <ul>
 *   <li>{@link #mlp}: input [-1,784]; {@code logits} and {@code probabilities} [-1,10].
 *   <li>{@link #cnn}: input [-1,28,28,1]; {@code logits} and {@code probabilities} [-1,10].
 *   <li>{@link #residualBlock}: input [-1,16,16,8]; {@code logits} and {@code probabilities} [-1,10].
 *   <li>{@link #depthwiseSeparable}: input [-1,16,16,8]; {@code features} [-1,16,16,16].
 *   <li>{@link #outlierMlp}: input [-1,32]; {@code logits} and {@code probabilities} [-1,10].
 * </ul>
 */
public final class TestModels {

  public static final String INPUT_KEY = "images";
  public static final String SIGNATURE_KEY = "serving_default";
  public static final String SERVE_TAG = "serve";

  private static final long WEIGHT_SEED = 20240611L;

  private TestModels() {}

  /** MatMul/BiasAdd/Relu, MatMul/AddV2/Tanh, MatMul/BiasAdd/Sigmoid, MatMul/BiasAdd, Softmax. */
  public static Path mlp(Path dir) {
    return export(dir, 1, layers -> {
      Ops tf = layers.tf();
      Placeholder<TFloat32> x = layers.input(INPUT_KEY, -1, 784);
      Operand<TFloat32> h = tf.nn.relu(layers.dense("dense1", x, 64, false));
      h = tf.math.tanh(layers.dense("dense2", h, 32, true));
      h = tf.math.sigmoid(layers.dense("dense3", h, 32, false));
      return classifier(tf, x, layers.dense("logits_dense", h, 10, false));
    });
  }

  /**
   * conv3x3 SAME + BiasAdd + Relu, MaxPool 2x2; conv3x3 VALID stride 2 + FusedBatchNormV3 + Relu6,
   * AvgPool 2x2; Reshape to [-1,144]; MatMul + BiasAdd; Softmax.
   */
  public static Path cnn(Path dir) {
    return export(dir, 2, layers -> {
      Ops tf = layers.tf();
      Placeholder<TFloat32> x = layers.input(INPUT_KEY, -1, 28, 28, 1);
      Operand<TFloat32> h = tf.nn.relu(layers.conv2d("conv1", x, 3, 8, 1, "SAME", true));
      h = layers.maxPool(h, 2, 2, "VALID"); // [14,14,8]
      h = layers.conv2d("conv2", h, 3, 16, 2, "VALID", false); // [6,6,16]
      h = tf.nn.relu6(layers.batchNorm("bn2", h));
      h = layers.avgPool(h, 2, 2, "VALID"); // [3,3,16]
      h = tf.reshape(h, tf.constant(new int[] {-1, 3 * 3 * 16}));
      return classifier(tf, x, layers.dense("logits_dense", h, 10, false));
    });
  }

  /**
   * conv-bn-relu-conv-bn plus the identity shortcut (AddV2), Relu, global average pool (Mean over
   * H and W) and a MatMul + BiasAdd head with Softmax.
   */
  public static Path residualBlock(Path dir) {
    return export(dir, 3, layers -> {
      Ops tf = layers.tf();
      Placeholder<TFloat32> x = layers.input(INPUT_KEY, -1, 16, 16, 8);
      Operand<TFloat32> h = layers.conv2d("conv_a", x, 3, 8, 1, "SAME", false);
      h = tf.nn.relu(layers.batchNorm("bn_a", h));
      h = layers.conv2d("conv_b", h, 3, 8, 1, "SAME", false);
      h = layers.batchNorm("bn_b", h);
      h = tf.nn.relu(layers.addV2(x, h));
      Operand<TFloat32> pooled = tf.math.mean(h, tf.constant(new int[] {1, 2}));
      return classifier(tf, x, layers.dense("logits_dense", pooled, 10, false));
    });
  }

  /** DepthwiseConv2dNative 3x3 SAME + BiasAdd + Relu6, then a 1x1 Conv2D to 16 channels. */
  public static Path depthwiseSeparable(Path dir) {
    return export(dir, 4, layers -> {
      Ops tf = layers.tf();
      Placeholder<TFloat32> x = layers.input(INPUT_KEY, -1, 16, 16, 8);
      Operand<TFloat32> h = tf.nn.relu6(layers.depthwiseConv2d("depthwise", x, 3, 1, "SAME"));
      Operand<TFloat32> features = layers.conv2d("pointwise", h, 1, 16, 1, "VALID", false);
      Map<String, Operand<TFloat32>> outputs = new LinkedHashMap<>();
      outputs.put("features", tf.withName("features").identity(features));
      return new Model(x, outputs);
    });
  }

  /** MatMul/AddV2/Tanh, then a 3-wide linear head: a [batch, 3] regression output, not class scores. */
  public static Path regression(Path dir) {
    return export(dir, 5, layers -> {
      Ops tf = layers.tf();
      Placeholder<TFloat32> x = layers.input(INPUT_KEY, -1, 16);
      Operand<TFloat32> h = tf.math.tanh(layers.dense("hidden", x, 32, true));
      Map<String, Operand<TFloat32>> outputs = new LinkedHashMap<>();
      outputs.put("forecast", tf.withName("forecast").identity(layers.dense("head", h, 3, false)));
      return new Model(x, outputs);
    });
  }

  /** How much larger the outlier channels of {@link #outlierMlp} are than the others. */
  public static final float OUTLIER_FACTOR = 400f;
  /** The tensor of {@link #outlierMlp} that holds the outlier channels (what the second dense layer reads). */
  public static final String OUTLIER_TENSOR = "outliers:0";

  /**
   * An MLP with an outlier-heavy activation, as large models have them: dense1 (32 -> 64) + Relu, then
   * channels 0 and 1 multiplied by {@value #OUTLIER_FACTOR} ({@code outliers}, a Mul by a constant), read
   * by dense2 (64 -> 32) whose kernel rows 0 and 1 are divided by the same factor, so the function is an
   * ordinary MLP's; + Relu, logits_dense (32 -> 10), Softmax. Input [-1,32]. Calibrated by its range,
   * {@code outliers:0} gets a scale 400 times too coarse for its other 62 channels.
   */
  public static Path outlierMlp(Path dir) {
    return export(dir, 5, layers -> {
      Ops tf = layers.tf();
      Placeholder<TFloat32> x = layers.input(INPUT_KEY, -1, 32);
      Operand<TFloat32> h = tf.nn.relu(layers.dense("dense1", x, 64, false));
      float[] up = new float[64];
      float[] down = new float[64];
      java.util.Arrays.fill(up, 1f);
      java.util.Arrays.fill(down, 1f);
      for (int c = 0; c < 2; c++) {
        up[c] = OUTLIER_FACTOR;
        down[c] = 1 / OUTLIER_FACTOR;
      }
      h = tf.withName("outliers").math.mul(h, tf.constant(up));
      h = tf.nn.relu(layers.dense("dense2", h, 32, down));
      return classifier(tf, x, layers.dense("logits_dense", h, 10, false));
    });
  }

  /** {@code count} floats uniform in [0, 1), the same for the same seed. */
  public static float[] randomInput(long seed, int count) {
    Random random = new Random(seed);
    float[] values = new float[count];
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextFloat();
    }
    return values;
  }

  private static Model classifier(Ops tf, Placeholder<TFloat32> input, Operand<TFloat32> logits) {
    Map<String, Operand<TFloat32>> outputs = new LinkedHashMap<>();
    outputs.put("logits", tf.withName("logits").identity(logits));
    outputs.put("probabilities", tf.withName("probabilities").nn.softmax(logits));
    return new Model(input, outputs);
  }

  /** The serving interface of a built graph. */
  private record Model(Placeholder<TFloat32> input, Map<String, Operand<TFloat32>> outputs) {}

  private interface ModelDefinition {
    Model build(LayerBuilder layers);
  }

  /** Builds the graph, runs the variable initializers and writes the SavedModel to {@code dir}. */
  private static Path export(Path dir, long seedOffset, ModelDefinition definition) {
    try (Graph graph = new Graph()) {
      Model model = definition.build(new LayerBuilder(graph, WEIGHT_SEED + seedOffset));
      Signature.Builder signature = Signature.builder().key(SIGNATURE_KEY).input(INPUT_KEY, model.input());
      model.outputs().forEach(signature::output);
      Files.createDirectories(dir);
      try (Session session = new Session(graph)) {
        session.initialize(); // assigns the initial values, which the checkpoint then records
        SavedModelBundle.exporter(dir.toString())
            .withTags(SERVE_TAG)
            .withSession(session)
            .withSignature(signature.build())
            .export();
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot export test model to " + dir, e);
    }
  }
}
