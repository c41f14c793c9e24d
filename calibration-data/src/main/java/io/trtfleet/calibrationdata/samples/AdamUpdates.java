package io.trtfleet.calibrationdata.samples;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.train.ApplyAdam;
import org.tensorflow.types.TFloat32;

/**
 * Adam on raw TF ops: symbolic gradients from {@link Graph#addGradients} and one {@code ApplyAdam}
 * per variable. TF Java's core API has no optimizer classes; the learning rate and the bias
 * correction terms (beta1^t, beta2^t) are fed per step from Java instead of kept in variables,
 * which keeps the graph small and the schedule in plain code.
 */
final class AdamUpdates {

  static final float BETA1 = 0.9f;
  static final float BETA2 = 0.999f;
  static final float EPSILON = 1e-7f;

  private final Placeholder<TFloat32> learningRate;
  private final Placeholder<TFloat32> beta1Power;
  private final Placeholder<TFloat32> beta2Power;
  private final List<Op> updates;

  private AdamUpdates(Placeholder<TFloat32> learningRate, Placeholder<TFloat32> beta1Power,
      Placeholder<TFloat32> beta2Power, List<Op> updates) {
    this.learningRate = learningRate;
    this.beta1Power = beta1Power;
    this.beta2Power = beta2Power;
    this.updates = List.copyOf(updates);
  }

  /** Adds gradient and update ops minimizing {@code loss} over {@code variables}. */
  static AdamUpdates minimize(Graph graph, Ops tf, Operand<TFloat32> loss,
      List<Variable<TFloat32>> variables) {
    Ops scope = tf.withSubScope("adam");
    Output<?>[] xs = variables.stream().map(Variable::asOutput).toArray(Output<?>[]::new);
    Output<?>[] gradients = graph.addGradients(loss.asOutput(), xs);

    Placeholder<TFloat32> lr = scalar(scope, "learning_rate");
    Placeholder<TFloat32> b1Power = scalar(scope, "beta1_power");
    Placeholder<TFloat32> b2Power = scalar(scope, "beta2_power");
    Operand<TFloat32> beta1 = scope.constant(BETA1);
    Operand<TFloat32> beta2 = scope.constant(BETA2);
    Operand<TFloat32> epsilon = scope.constant(EPSILON);

    // VariableV2 consumers read the variable's buffer in place, so an update could overwrite a
    // kernel that another gradient op (e.g. the backprop through the next layer) has yet to
    // read. Every update therefore waits for all gradients: no race, and repeatable results.
    List<Operation> allGradients = new ArrayList<>();
    for (Output<?> gradient : gradients) {
      allGradients.add(gradient.op());
    }
    Ops afterGradients = scope.withControlDependencyOps(allGradients);

    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      Variable<TFloat32> variable = variables.get(i);
      Shape shape = variable.shape();
      String name = variable.op().name().replace('/', '_');
      float[] zeros = new float[(int) shape.size()];
      Variable<TFloat32> m = SeededVariables.withInitialValue(scope, name + "_m", shape, zeros);
      Variable<TFloat32> v = SeededVariables.withInitialValue(scope, name + "_v", shape, zeros);
      @SuppressWarnings("unchecked")
      Operand<TFloat32> gradient = (Operand<TFloat32>) gradients[i];
      updates.add(afterGradients.train.applyAdam(variable, m, v, b1Power, b2Power, lr, beta1,
          beta2, epsilon, gradient, ApplyAdam.useLocking(false)));
    }
    return new AdamUpdates(lr, b1Power, b2Power, updates);
  }

  /**
   * Runs one training step {@code t} (1-based): {@code feedBatch} adds the batch feeds, every
   * variable is updated, and the value of {@code loss} before the update is returned.
   */
  float step(Session session, long t, float lr, Consumer<Session.Runner> feedBatch,
      Operand<TFloat32> loss) {
    try (TFloat32 lrTensor = TFloat32.scalarOf(lr);
        TFloat32 b1 = TFloat32.scalarOf((float) Math.pow(BETA1, t));
        TFloat32 b2 = TFloat32.scalarOf((float) Math.pow(BETA2, t))) {
      Session.Runner runner = session.runner()
          .feed(learningRate, lrTensor)
          .feed(beta1Power, b1)
          .feed(beta2Power, b2)
          .fetch(loss);
      feedBatch.accept(runner);
      updates.forEach(runner::addTarget);
      try (Result result = runner.run()) {
        return ((TFloat32) result.get(0)).getFloat();
      }
    }
  }

  private static Placeholder<TFloat32> scalar(Ops scope, String name) {
    return scope.withName(name).placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
  }
}
