package io.trtfleet.calibrationdata.samples;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The sample Fashion-MNIST classifier, built into a graph the same way for training and for
 * serving, so that variable names (the checkpoint keys) match between the two graphs:
 *
 * <pre>
 * images [-1,28,28,1]
 * conv1: Conv2D 3x3x1x16 SAME + BiasAdd + Relu, pool1: MaxPool 2x2   -> [-1,14,14,16]
 * conv2: Conv2D 3x3x16x32 SAME + BiasAdd + Relu, pool2: MaxPool 2x2  -> [-1,7,7,32]
 * flatten: Reshape [-1,1568]
 * dense1: MatMul 1568x128 + BiasAdd + Relu
 * dense2: MatMul 128x10 + BiasAdd -> logits (Identity), probabilities (Softmax)
 * </pre>
 */
public final class FashionCnn {

  public static final String INPUT = "images";
  public static final String LOGITS = "logits";
  public static final String PROBABILITIES = "probabilities";

  static final int CONV1_FILTERS = 16;
  static final int CONV2_FILTERS = 32;
  static final int HIDDEN_UNITS = 128;
  private static final int FLAT = 7 * 7 * CONV2_FILTERS;

  /** Creates one variable of the network; training and serving initialize them differently. */
  public interface VariableFactory {
    /**
     * @param fanIn inputs feeding each output unit (for scaled initializers)
     * @param role what the variable is, so a factory can pick an initializer
     */
    Variable<TFloat32> create(Ops scope, String name, Shape shape, long fanIn, long fanOut, Role role);
  }

  /** Kernel roles and biases, each with its natural initializer in the training factory. */
  public enum Role {
    /** Feeds a Relu: He-normal. */
    RELU_KERNEL,
    /** Feeds the softmax: Glorot-uniform. */
    OUTPUT_KERNEL,
    /** Zeros. */
    BIAS
  }

  private final Placeholder<TFloat32> images;
  private final Operand<TFloat32> logits;
  private final Operand<TFloat32> probabilities;
  private final List<Variable<TFloat32>> variables;

  private FashionCnn(Placeholder<TFloat32> images, Operand<TFloat32> logits,
      Operand<TFloat32> probabilities, List<Variable<TFloat32>> variables) {
    this.images = images;
    this.logits = logits;
    this.probabilities = probabilities;
    this.variables = variables;
  }

  /** Adds the forward pass to the graph behind {@code tf}. */
  public static FashionCnn build(Ops tf, VariableFactory factory) {
    List<Variable<TFloat32>> variables = new ArrayList<>();
    Placeholder<TFloat32> images = tf.withName(INPUT).placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, FashionMnist.ROWS, FashionMnist.COLS, 1)));

    Operand<TFloat32> h = conv3x3ReluPool(tf, "conv1", "pool1", images, 1, CONV1_FILTERS, factory, variables);
    h = conv3x3ReluPool(tf, "conv2", "pool2", h, CONV1_FILTERS, CONV2_FILTERS, factory, variables);
    h = tf.withName("flatten").reshape(h, tf.constant(new int[] {-1, FLAT}));
    h = tf.nn.relu(dense(tf.withSubScope("dense1"), h, FLAT, HIDDEN_UNITS, Role.RELU_KERNEL, factory, variables));
    Operand<TFloat32> z = dense(tf.withSubScope("dense2"), h, HIDDEN_UNITS, FashionMnist.CLASSES,
        Role.OUTPUT_KERNEL, factory, variables);

    Operand<TFloat32> logits = tf.withName(LOGITS).identity(z);
    Operand<TFloat32> probabilities = tf.withName(PROBABILITIES).nn.softmax(z);
    return new FashionCnn(images, logits, probabilities, Collections.unmodifiableList(variables));
  }

  public Placeholder<TFloat32> images() {
    return images;
  }

  public Operand<TFloat32> logits() {
    return logits;
  }

  public Operand<TFloat32> probabilities() {
    return probabilities;
  }

  /** The trainable variables, in creation order. */
  public List<Variable<TFloat32>> variables() {
    return variables;
  }

  private static Operand<TFloat32> conv3x3ReluPool(Ops tf, String name, String poolName,
      Operand<TFloat32> x, int inChannels, int filters, VariableFactory factory,
      List<Variable<TFloat32>> variables) {
    Ops scope = tf.withSubScope(name);
    long fanIn = 3L * 3 * inChannels;
    Variable<TFloat32> kernel = factory.create(scope, "kernel", Shape.of(3, 3, inChannels, filters),
        fanIn, 3L * 3 * filters, Role.RELU_KERNEL);
    Variable<TFloat32> bias = factory.create(scope, "bias", Shape.of(filters), fanIn, filters, Role.BIAS);
    variables.add(kernel);
    variables.add(bias);
    Operand<TFloat32> y = scope.nn.conv2d(x, kernel, List.of(1L, 1L, 1L, 1L), "SAME");
    y = scope.nn.relu(scope.nn.biasAdd(y, bias));
    return maxPool2x2(tf, poolName, y);
  }

  private static Operand<TFloat32> dense(Ops scope, Operand<TFloat32> x, long inputs, int units,
      Role role, VariableFactory factory, List<Variable<TFloat32>> variables) {
    Variable<TFloat32> kernel = factory.create(scope, "kernel", Shape.of(inputs, units), inputs, units, role);
    Variable<TFloat32> bias = factory.create(scope, "bias", Shape.of(units), inputs, units, Role.BIAS);
    variables.add(kernel);
    variables.add(bias);
    return scope.nn.biasAdd(scope.linalg.matMul(x, kernel), bias);
  }

  /**
   * The V1 {@code MaxPool} op (window and strides as attributes), as Keras exports it. TF Java
   * 1.1.0's {@code tf.nn.maxPool} emits {@code MaxPoolV2} instead, hence the raw builder.
   */
  private static Operand<TFloat32> maxPool2x2(Ops tf, String name, Operand<TFloat32> x) {
    Operation op = tf.scope().opBuilder("MaxPool", name)
        .addInput(x.asOutput())
        .setAttr("ksize", new long[] {1, 2, 2, 1})
        .setAttr("strides", new long[] {1, 2, 2, 1})
        .setAttr("padding", "VALID")
        .setAttr("data_format", "NHWC")
        .build();
    return op.output(0);
  }
}
