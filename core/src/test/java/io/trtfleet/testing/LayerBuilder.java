package io.trtfleet.testing;

import java.util.List;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;

/**
 * Adds inference layers to one TF graph, with weights drawn from a seeded {@link Random} and held
 * in real {@code VariableV2} variables (initialized by an {@code Assign} of a constant), so an
 * exported SavedModel has a {@code variables/} checkpoint like a TF1 model.
 *
 * <p>Each layer gets its own name scope ({@code conv1/kernel}, {@code conv1/Conv2D}, ...). Ops that
 * TF Java 1.1.0 has no wrapper for, or wraps as a different op type ({@code AddV2}, {@code MaxPool}:
 * {@code tf.nn.maxPool} emits {@code MaxPoolV2}), are built with the raw operation builder.
 */
final class LayerBuilder {

  private final Ops tf;
  private final Random random;

  LayerBuilder(Graph graph, long seed) {
    this.tf = Ops.create(graph);
    this.random = new Random(seed);
  }

  Ops tf() {
    return tf;
  }

  /** A float placeholder; use -1 for the batch dimension. */
  Placeholder<TFloat32> input(String name, long... shape) {
    return tf.withName(name).placeholder(TFloat32.class, Placeholder.shape(Shape.of(shape)));
  }

  /** Conv2D (NHWC, HWIO kernel, He-normal weights), optionally followed by BiasAdd. */
  Operand<TFloat32> conv2d(String name, Operand<TFloat32> x, int kernelSize, int filters, int stride,
      String padding, boolean bias) {
    Ops scope = tf.withSubScope(name);
    long inChannels = channels(x);
    Shape kernelShape = Shape.of(kernelSize, kernelSize, inChannels, filters);
    Variable<TFloat32> kernel = variable(scope, "kernel", kernelShape,
        heNormal(kernelShape, kernelSize * kernelSize * inChannels));
    Operand<TFloat32> y = scope.nn.conv2d(x, kernel, List.of(1L, (long) stride, (long) stride, 1L), padding);
    return bias ? biasAdd(scope, y, filters) : y;
  }

  /** DepthwiseConv2dNative with channel multiplier 1, followed by BiasAdd. */
  Operand<TFloat32> depthwiseConv2d(String name, Operand<TFloat32> x, int kernelSize, int stride,
      String padding) {
    Ops scope = tf.withSubScope(name);
    long channels = channels(x);
    Shape kernelShape = Shape.of(kernelSize, kernelSize, channels, 1);
    Variable<TFloat32> kernel = variable(scope, "depthwise_kernel", kernelShape,
        heNormal(kernelShape, kernelSize * kernelSize));
    Operand<TFloat32> y = scope.nn.depthwiseConv2dNative(x, kernel,
        List.of(1L, (long) stride, (long) stride, 1L), padding);
    return biasAdd(scope, y, channels);
  }

  /**
   * Inference-mode FusedBatchNormV3 with frozen statistics: the moving mean and variance are
   * variables too, as in a Keras model exported after training.
   */
  Operand<TFloat32> batchNorm(String name, Operand<TFloat32> x) {
    Ops scope = tf.withSubScope(name);
    int channels = (int) channels(x);
    Shape shape = Shape.of(channels);
    Variable<TFloat32> gamma = variable(scope, "gamma", shape, around(channels, 1f, 0.1f));
    Variable<TFloat32> beta = variable(scope, "beta", shape, around(channels, 0f, 0.1f));
    Variable<TFloat32> mean = variable(scope, "moving_mean", shape, around(channels, 0f, 0.1f));
    float[] variance = new float[channels];
    for (int i = 0; i < channels; i++) {
      variance[i] = 0.5f + random.nextFloat(); // strictly positive, as a trained variance is
    }
    Variable<TFloat32> var = variable(scope, "moving_variance", shape, variance);
    FusedBatchNorm<TFloat32, TFloat32> bn = scope.nn.fusedBatchNorm(x, gamma, beta, mean, var,
        FusedBatchNorm.epsilon(1e-3f), FusedBatchNorm.isTraining(false),
        FusedBatchNorm.dataFormat("NHWC"));
    return bn.y();
  }

  /** MatMul with a Glorot-uniform kernel, then the bias through BiasAdd or AddV2. */
  Operand<TFloat32> dense(String name, Operand<TFloat32> x, int units, boolean biasAsAddV2) {
    Ops scope = tf.withSubScope(name);
    long inputs = x.shape().get(x.shape().numDimensions() - 1);
    Shape kernelShape = Shape.of(inputs, units);
    Variable<TFloat32> kernel = variable(scope, "kernel", kernelShape,
        glorotUniform(kernelShape, inputs, units));
    Operand<TFloat32> y = scope.linalg.matMul(x, kernel);
    if (!biasAsAddV2) {
      return biasAdd(scope, y, units);
    }
    Variable<TFloat32> bias = variable(scope, "bias", Shape.of(units), around(units, 0f, 0.05f));
    return addV2(scope, y, bias);
  }

  /**
   * MatMul + BiasAdd whose Glorot-uniform kernel rows are multiplied by {@code rowScale} (one factor per
   * input channel) in the graph, a constant TensorFlow folds: a layer that compensates input channels
   * of unusual magnitude.
   */
  Operand<TFloat32> dense(String name, Operand<TFloat32> x, int units, float[] rowScale) {
    Ops scope = tf.withSubScope(name);
    long inputs = x.shape().get(x.shape().numDimensions() - 1);
    Shape kernelShape = Shape.of(inputs, units);
    Variable<TFloat32> kernel = variable(scope, "kernel", kernelShape, glorotUniform(kernelShape, inputs, units));
    Operand<TFloat32> scaled = scope.withName("scaled_kernel").math.mul(kernel,
        scope.constant(Shape.of(inputs, 1), DataBuffers.of(rowScale)));
    return biasAdd(scope, scope.linalg.matMul(x, scaled), units);
  }

  /** The V1 {@code MaxPool} op (attributes, not tensor inputs), which Keras/TF1 models contain. */
  Operand<TFloat32> maxPool(Operand<TFloat32> x, int size, int stride, String padding) {
    return pool("MaxPool", x, size, stride, padding);
  }

  Operand<TFloat32> avgPool(Operand<TFloat32> x, int size, int stride, String padding) {
    return pool("AvgPool", x, size, stride, padding);
  }

  /** {@code AddV2}, the element-wise add TF 2 emits; TF Java 1.1.0 only wraps the older {@code Add}. */
  Operand<TFloat32> addV2(Operand<TFloat32> a, Operand<TFloat32> b) {
    return addV2(tf, a, b);
  }

  private Operand<TFloat32> addV2(Ops scope, Operand<TFloat32> a, Operand<TFloat32> b) {
    Operation op = scope.scope().opBuilder("AddV2", "add")
        .addInput(a.asOutput())
        .addInput(b.asOutput())
        .build();
    return op.output(0);
  }

  private Operand<TFloat32> pool(String type, Operand<TFloat32> x, int size, int stride,
      String padding) {
    Operation op = tf.scope().opBuilder(type, type)
        .addInput(x.asOutput())
        .setAttr("ksize", new long[] {1, size, size, 1})
        .setAttr("strides", new long[] {1, stride, stride, 1})
        .setAttr("padding", padding)
        .setAttr("data_format", "NHWC")
        .build();
    return op.output(0);
  }

  private Operand<TFloat32> biasAdd(Ops scope, Operand<TFloat32> x, long channels) {
    Variable<TFloat32> bias = variable(scope, "bias", Shape.of(channels),
        around((int) channels, 0f, 0.05f));
    return scope.nn.biasAdd(x, bias);
  }

  /**
   * A {@code VariableV2} plus its initializer ({@code <name>_initial_value} and {@code <name>_assign}
   * in the same scope). The init ops are built in the init scope, so {@code Session.initialize()}
   * (or the first run) assigns them.
   */
  private Variable<TFloat32> variable(Ops scope, String name, Shape shape, float[] values) {
    Variable<TFloat32> variable = scope.withName(name).variable(shape, TFloat32.class);
    Ops init = scope.withInitScope();
    Operand<TFloat32> initial =
        init.withName(name + "_initial_value").constant(shape, DataBuffers.of(values));
    init.withName(name + "_assign").assign(variable, initial);
    return variable;
  }

  private float[] heNormal(Shape shape, long fanIn) {
    float[] values = new float[(int) shape.size()];
    double std = Math.sqrt(2.0 / fanIn);
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (random.nextGaussian() * std);
    }
    return values;
  }

  private float[] glorotUniform(Shape shape, long fanIn, long fanOut) {
    float[] values = new float[(int) shape.size()];
    double limit = Math.sqrt(6.0 / (fanIn + fanOut));
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
    }
    return values;
  }

  private float[] around(int count, float center, float spread) {
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = center + (float) (random.nextGaussian() * spread);
    }
    return values;
  }

  private static long channels(Operand<TFloat32> x) {
    Shape shape = x.shape();
    return shape.get(shape.numDimensions() - 1);
  }
}
