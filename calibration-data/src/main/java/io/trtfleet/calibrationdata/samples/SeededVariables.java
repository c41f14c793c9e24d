package io.trtfleet.calibrationdata.samples;

import java.util.Random;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Training-time variables: initial values drawn in Java from one seeded {@link Random} (in
 * creation order), so the same seed gives the same starting weights on any machine. The values
 * live in init-scope constants assigned by {@code Session.initialize()}.
 */
final class SeededVariables implements FashionCnn.VariableFactory {

  private final Random random;

  SeededVariables(long seed) {
    this.random = new Random(seed);
  }

  @Override
  public Variable<TFloat32> create(Ops scope, String name, Shape shape, long fanIn, long fanOut,
      FashionCnn.Role role) {
    float[] values = new float[(int) shape.size()];
    switch (role) {
      case RELU_KERNEL -> {
        double std = Math.sqrt(2.0 / fanIn); // He normal
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) (random.nextGaussian() * std);
        }
      }
      case OUTPUT_KERNEL -> {
        double limit = Math.sqrt(6.0 / (fanIn + fanOut)); // Glorot uniform
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
        }
      }
      case BIAS -> { } // zeros
    }
    return withInitialValue(scope, name, shape, values);
  }

  /** A VariableV2 named {@code name} plus init-scope {@code <name>_initial_value} and {@code <name>_assign}. */
  static Variable<TFloat32> withInitialValue(Ops scope, String name, Shape shape, float[] values) {
    Variable<TFloat32> variable = scope.withName(name).variable(shape, TFloat32.class);
    Ops init = scope.withInitScope();
    Operand<TFloat32> initial =
        init.withName(name + "_initial_value").constant(shape, DataBuffers.of(values));
    init.withName(name + "_assign").assign(variable, initial);
    return variable;
  }
}
