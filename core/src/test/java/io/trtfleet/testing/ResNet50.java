package io.trtfleet.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * ResNet-50 v1.5 (bottleneck blocks, stride in the 3x3 convolution) in NHWC, built with TF Java:
 * ZeroPad + 7x7/2 conv, BN, ReLU, ZeroPad + 3x3/2 max pool; stages of 3, 4, 6, 3 bottlenecks
 * (1x1, 3x3, 1x1 x4, Conv2D + FusedBatchNormV3 + Relu, projection shortcut in each stage's first
 * block, AddV2 + Relu); global average pool (Mean), 1000-way dense, Softmax. About 25.6M weights from a
 * fixed seed, exported as a TF1-style SavedModel: input {@code images} [-1,224,224,3], outputs
 * {@code logits} and {@code probabilities}.
 */
public final class ResNet50 {

  public static final long SEED = 50L;
  private static final int[] BLOCKS = {3, 4, 6, 3};
  private static final int[] WIDTHS = {64, 128, 256, 512};

  private ResNet50() {}

  /** Exports the model to {@code args[0]} (on the GPU host, for {@code trtfleet build --model}). */
  public static void main(String[] args) {
    System.out.println("wrote " + export(Path.of(args[0])));
  }

  public static Path export(Path dir) {
    return export(dir, 224);
  }

  /** @param size input height and width (224 for the standard model; smaller for quick tests) */
  public static Path export(Path dir, int size) {
    try (Graph graph = new Graph()) {
      LayerBuilder layers = new LayerBuilder(graph, SEED);
      Ops tf = layers.tf();
      Placeholder<TFloat32> x = layers.input(TestModels.INPUT_KEY, -1, size, size, 3);
      Operand<TFloat32> h = pad(tf, x, 3);
      h = layers.conv2d("conv1", h, 7, 64, 2, "VALID", false);
      h = tf.nn.relu(layers.batchNorm("conv1_bn", h));
      h = layers.maxPool(pad(tf, h, 1), 3, 2, "VALID");
      for (int stage = 0; stage < BLOCKS.length; stage++) {
        for (int block = 0; block < BLOCKS[stage]; block++) {
          int stride = stage > 0 && block == 0 ? 2 : 1;
          h = bottleneck(layers, "stage" + (stage + 2) + "_block" + (block + 1), h, WIDTHS[stage], stride,
              block == 0);
        }
      }
      Operand<TFloat32> pooled = tf.withName("avg_pool").math.mean(h, tf.constant(new int[] {1, 2}));
      Operand<TFloat32> logits = layers.dense("fc1000", pooled, 1000, false);
      Signature signature = Signature.builder().key(TestModels.SIGNATURE_KEY).input(TestModels.INPUT_KEY, x)
          .output("logits", tf.withName("logits").identity(logits))
          .output("probabilities", tf.withName("probabilities").nn.softmax(logits))
          .build();
      Files.createDirectories(dir);
      try (Session session = new Session(graph)) {
        session.initialize();
        SavedModelBundle.exporter(dir.toString()).withTags(TestModels.SERVE_TAG).withSession(session)
            .withSignature(signature).export();
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot export ResNet-50 to " + dir, e);
    }
  }

  private static Operand<TFloat32> bottleneck(LayerBuilder layers, String name, Operand<TFloat32> x, int width,
      int stride, boolean project) {
    Ops tf = layers.tf();
    Operand<TFloat32> shortcut = x;
    if (project) {
      shortcut = layers.batchNorm(name + "_0_bn", layers.conv2d(name + "_0_conv", x, 1, 4 * width, stride, "VALID", false));
    }
    Operand<TFloat32> h = tf.nn.relu(layers.batchNorm(name + "_1_bn", layers.conv2d(name + "_1_conv", x, 1, width, 1, "VALID", false)));
    h = tf.nn.relu(layers.batchNorm(name + "_2_bn", layers.conv2d(name + "_2_conv", h, 3, width, stride, "SAME", false)));
    h = layers.batchNorm(name + "_3_bn", layers.conv2d(name + "_3_conv", h, 1, 4 * width, 1, "VALID", false));
    return tf.withName(name + "_out").nn.relu(layers.addV2(shortcut, h));
  }

  /** The {@code Pad} op Keras' ZeroPadding2D emits (TF Java's {@code tf.pad} emits PadV2). */
  private static Operand<TFloat32> pad(Ops tf, Operand<TFloat32> x, int p) {
    return tf.scope().opBuilder("Pad", "Pad")
        .addInput(x.asOutput())
        .addInput(tf.constant(new int[][] {{0, 0}, {p, p}, {p, p}, {0, 0}}).asOutput())
        .build().output(0);
  }
}
