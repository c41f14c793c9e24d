package io.trtfleet.calibrationdata.samples;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Serving-time variables: initialized to zeros by a tiny {@code Fill}, because their real values
 * are restored from the training checkpoint (and then written to the SavedModel's
 * {@code variables/}). Keeping the trained weights out of the GraphDef halves the model's size.
 */
final class RestoredVariables implements FashionCnn.VariableFactory {

  @Override
  public Variable<TFloat32> create(Ops scope, String name, Shape shape, long fanIn, long fanOut,
      FashionCnn.Role role) {
    Variable<TFloat32> variable = scope.withName(name).variable(shape, TFloat32.class);
    Ops init = scope.withInitScope();
    Operand<TFloat32> zeros = init.withName(name + "_zeros")
        .zeros(init.constant(shape.asArray()), TFloat32.class);
    init.withName(name + "_assign").assign(variable, zeros);
    return variable;
  }
}
