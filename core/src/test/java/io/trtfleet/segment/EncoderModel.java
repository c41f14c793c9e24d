package io.trtfleet.segment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;

/**
 * A one-layer transformer encoder block exported as a SavedModel, for the ops such models use: layer
 * norm (Mean, Sub, Square, Rsqrt), multi-head self-attention (BatchMatMulV2, Reshape, Transpose,
 * Softmax), a GELU feed-forward (Erf) and residual AddV2s. Input {@code tokens} [-1,16,32], output
 * {@code encoded} [-1,16,32]. With {@code einsum} the query projection is an {@code Einsum}.
 */
final class EncoderModel {

  static final int SEQ = 16;
  static final int MODEL = 32;
  static final int HEADS = 4;
  static final int HEAD = MODEL / HEADS;
  static final int HIDDEN = 64;

  private final Ops tf;
  private final Random random = new Random(3);

  private EncoderModel(Ops tf) {
    this.tf = tf;
  }

  static Path export(Path dir, boolean einsum) throws Exception {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      EncoderModel m = new EncoderModel(tf);
      Placeholder<TFloat32> x = tf.withName("tokens").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, SEQ, MODEL)));
      Operand<TFloat32> h = m.layerNorm("ln1", x);
      Operand<TFloat32> q = einsum ? m.einsum("query_einsum", h, m.weights(MODEL, MODEL))
          : m.dense("query", h, MODEL);
      Operand<TFloat32> k = m.dense("key", h, MODEL);
      Operand<TFloat32> v = m.dense("value", h, MODEL);
      Operand<TFloat32> scores = m.batchMatMul("scores", m.heads(q), m.heads(k), true);
      scores = tf.math.mul(scores, tf.constant((float) (1 / Math.sqrt(HEAD))));
      Operand<TFloat32> context = m.batchMatMul("context", tf.nn.softmax(scores), m.heads(v), false);
      context = tf.reshape(tf.linalg.transpose(context, tf.constant(new int[] {0, 2, 1, 3})),
          tf.constant(new int[] {-1, SEQ, MODEL}));
      Operand<TFloat32> attended = m.add(x, m.dense("attention_output", context, MODEL));
      Operand<TFloat32> f = m.dense("ffn1", m.layerNorm("ln2", attended), HIDDEN);
      f = m.gelu(f);
      Operand<TFloat32> encoded = tf.withName("encoded").identity(m.add(attended, m.dense("ffn2", f, MODEL)));
      Files.createDirectories(dir);
      try (Session session = new Session(graph)) {
        SavedModelBundle.exporter(dir.toString()).withTags("serve").withSession(session)
            .withSignature(Signature.builder().key("serving_default").input("tokens", x).output("encoded", encoded)
                .build())
            .export();
      }
    }
    return dir;
  }

  private Operand<TFloat32> layerNorm(String name, Operand<TFloat32> x) {
    Ops s = tf.withSubScope(name);
    Operand<TFloat32> mean = s.math.mean(x, s.constant(new int[] {-1}), Mean.keepDims(true));
    Operand<TFloat32> centered = s.math.sub(x, mean);
    Operand<TFloat32> variance = s.math.mean(s.math.square(centered), s.constant(new int[] {-1}),
        Mean.keepDims(true));
    Operand<TFloat32> normed = s.math.mul(centered, s.math.rsqrt(add(variance, s.constant(1e-6f))));
    return add(s.math.mul(normed, vector(MODEL, 1f)), vector(MODEL, 0f));
  }

  /** [-1,SEQ,in] x [in,out] + bias. */
  private Operand<TFloat32> dense(String name, Operand<TFloat32> x, int units) {
    long in = x.shape().get(2);
    return add(batchMatMul(name + "_matmul", x, weights(in, units), false), vector(units, 0f));
  }

  private Operand<TFloat32> heads(Operand<TFloat32> x) {
    Operand<TFloat32> split = tf.reshape(x, tf.constant(new int[] {-1, SEQ, HEADS, HEAD}));
    return tf.linalg.transpose(split, tf.constant(new int[] {0, 2, 1, 3}));
  }

  private Operand<TFloat32> gelu(Operand<TFloat32> x) {
    Operand<TFloat32> cdf = tf.math.mul(tf.constant(0.5f),
        add(tf.constant(1f), tf.math.erf(tf.math.mul(x, tf.constant((float) (1 / Math.sqrt(2)))))));
    return tf.math.mul(x, cdf);
  }

  private Operand<TFloat32> batchMatMul(String name, Operand<TFloat32> a, Operand<TFloat32> b, boolean adjY) {
    return tf.scope().opBuilder("BatchMatMulV2", name).addInput(a.asOutput()).addInput(b.asOutput())
        .setAttr("adj_x", false).setAttr("adj_y", adjY).build().output(0);
  }

  private Operand<TFloat32> einsum(String name, Operand<TFloat32> x, Operand<TFloat32> w) {
    return tf.scope().opBuilder("Einsum", name).addInputList(new org.tensorflow.Output<?>[] {x.asOutput(),
        w.asOutput()}).setAttr("equation", "bsd,de->bse").build().output(0);
  }

  private Operand<TFloat32> add(Operand<TFloat32> a, Operand<TFloat32> b) {
    return tf.scope().opBuilder("AddV2", "add").addInput(a.asOutput()).addInput(b.asOutput()).build().output(0);
  }

  private Operand<TFloat32> weights(long in, long out) {
    float[] w = new float[(int) (in * out)];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (random.nextGaussian() / Math.sqrt(in));
    }
    return tf.constant(Shape.of(in, out), DataBuffers.of(w));
  }

  private Operand<TFloat32> vector(int n, float center) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = center + (float) (random.nextGaussian() * 0.05);
    }
    return tf.constant(Shape.of(n), DataBuffers.of(v));
  }
}
