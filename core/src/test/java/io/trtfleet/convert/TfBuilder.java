package io.trtfleet.convert;

import java.util.List;
import java.util.Random;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/** Raw TensorFlow ops for converter tests: any op type and attributes, seeded random constants. */
final class TfBuilder {

  final Ops tf;
  private final Random random;
  private int counter;

  TfBuilder(Ops tf, long seed) {
    this.tf = tf;
    this.random = new Random(seed);
  }

  Operand<TFloat32> weights(long... shape) {
    float[] v = new float[(int) Shape.of(shape).size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (random.nextGaussian() * 0.5);
    }
    return tf.constant(Shape.of(shape), DataBuffers.of(v));
  }

  Operand<TFloat32> positive(long... shape) {
    float[] v = new float[(int) Shape.of(shape).size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = 0.5f + random.nextFloat();
    }
    return tf.constant(Shape.of(shape), DataBuffers.of(v));
  }

  /** An op of any type; attrs are name/value pairs (long[], String, Boolean, Float, Long). */
  @SuppressWarnings("unchecked")
  <T extends TType> Operand<T> op(String type, List<Operand<?>> inputs, Object... attrs) {
    OperationBuilder b = tf.scope().opBuilder(type, type + "_" + counter++);
    for (Operand<?> in : inputs) {
      b.addInput(in.asOutput());
    }
    for (int i = 0; i < attrs.length; i += 2) {
      String name = (String) attrs[i];
      Object v = attrs[i + 1];
      if (v instanceof long[] l) {
        b.setAttr(name, l);
      } else if (v instanceof String s) {
        b.setAttr(name, s);
      } else if (v instanceof Boolean z) {
        b.setAttr(name, z);
      } else if (v instanceof Float f) {
        b.setAttr(name, f);
      } else if (v instanceof Long l) {
        b.setAttr(name, l);
      } else {
        throw new IllegalArgumentException("attr " + name + " of " + v.getClass());
      }
    }
    Operation op = b.build();
    return (Operand<T>) op.output(0);
  }

  Operand<TFloat32> f(String type, List<Operand<?>> inputs, Object... attrs) {
    return op(type, inputs, attrs);
  }

  Operand<TFloat32> conv(Operand<TFloat32> x, long kh, long kw, long in, long out, long stride, String padding,
      long dilation) {
    return f("Conv2D", List.of(x, weights(kh, kw, in, out)), "strides", new long[] {1, stride, stride, 1},
        "padding", padding, "dilations", new long[] {1, dilation, dilation, 1});
  }

  Operand<TFloat32> bn(Operand<TFloat32> x, long c) {
    return f("FusedBatchNormV3", List.of(x, positive(c), weights(c), weights(c), positive(c)),
        "epsilon", 1e-3f, "is_training", false, "data_format", "NHWC");
  }

  Operand<TFloat32> pool(String type, Operand<TFloat32> x, long k, long s, String padding) {
    return f(type, List.of(x), "ksize", new long[] {1, k, k, 1}, "strides", new long[] {1, s, s, 1},
        "padding", padding, "data_format", "NHWC");
  }
}
