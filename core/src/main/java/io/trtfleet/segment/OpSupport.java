package io.trtfleet.segment;

import static io.trtfleet.segment.Checks.OK;
import static io.trtfleet.segment.Checks.reject;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorSpec;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.tensorflow.proto.DataType;

/**
 * The TensorFlow ops trtfleet can hand to TensorRT, each with a validator of its attributes, dtypes
 * and static shapes (TF-TRT's converter table and its {@code validation_only} pass). A node is
 * convertible when its op is in the table, its validator accepts it and its tensors pass the checks
 * every TensorRT layer needs: dtypes TensorRT carries, a known rank and, with static shapes, a batch
 * dimension plus known other dimensions.
 */
public final class OpSupport {

  /** The reason for an op that has no entry in the table. */
  public static final String NO_CONVERTER = "no converter";
  /** Ops that pass a tensor through; they do not count toward a segment's size. */
  public static final Set<String> IDENTITY_OPS = Set.of("Identity", "Snapshot", "StopGradient");

  private static final OpSupport INSTANCE = new OpSupport();

  private final Map<String, OpValidator> table;

  private OpSupport() {
    Map<String, OpValidator> t = new TreeMap<>();
    t.put("Const", Checks.dtype("dtype", Dtypes.WEIGHTS));
    IDENTITY_OPS.forEach(op -> t.put(op, OpValidator.any()));
    ConvolutionValidators.register(t);
    MathValidators.register(t);
    ShapeValidators.register(t);
    LogicValidators.register(t);
    this.table = Collections.unmodifiableMap(t);
  }

  public static OpSupport get() {
    return INSTANCE;
  }

  /** Op types with a converter, sorted. */
  public Set<String> supportedOps() {
    return table.keySet();
  }

  public boolean hasConverter(String op) {
    return table.containsKey(op);
  }

  /**
   * Why TensorRT cannot run {@code node} ({@code "Conv2D: filter (input 1) must be a constant"}), or
   * empty when it can. Unknown ops get {@link #NO_CONVERTER}.
   */
  public Optional<String> check(Node node, ValidationContext context) {
    OpValidator validator = table.get(node.op());
    if (validator == null) {
      return Optional.of(NO_CONVERTER);
    }
    Optional<String> reason;
    try {
      reason = validator.validate(node, context);
      if (reason.isEmpty() && !node.op().equals("Const")) {
        reason = tensors(node, context);
      }
    } catch (RuntimeException e) {
      reason = reject("cannot validate (%s: %s)", e.getClass().getSimpleName(), e.getMessage());
    }
    return reason.map(r -> node.op() + ": " + r);
  }

  /** The checks of every non-Const node's data inputs and outputs. */
  private static Optional<String> tensors(Node node, ValidationContext ctx) {
    for (int i = 0; i < ctx.inputCount(node); i++) {
      if (ctx.isConst(node, i)) {
        continue;
      }
      Optional<String> r = tensor("input " + i, ctx.input(node, i), ctx, true);
      if (r.isPresent()) {
        return r;
      }
    }
    for (int i = 0; i < node.outputs().size(); i++) {
      Optional<String> r = tensor("output " + i, node.output(i), ctx, false);
      if (r.isPresent()) {
        return r;
      }
    }
    return OK;
  }

  private static Optional<String> tensor(String what, TensorSpec t, ValidationContext ctx, boolean input) {
    DataType dtype = t.dtype();
    if (!Dtypes.TENSORRT_TENSOR.contains(dtype)) {
      return reject("%s dtype %s is not supported by TensorRT (%s only)", what, Dtypes.name(dtype),
          Checks.names(Dtypes.TENSORRT_TENSOR));
    }
    if (!input) {
      return OK;  // TF-TRT checks inputs only; unused outputs (batch norm's reserve space) may be unknown
    }
    if (!t.hasRank()) {
      return reject("%s %s has an unknown rank", what, t.name());
    }
    if (ctx.implicitBatch()) {
      long[] shape = t.shape();
      if (shape.length == 0) {
        return reject("%s %s is a scalar, but static shapes need a batch dimension", what, t.name());
      }
      for (int d = 1; d < shape.length; d++) {
        if (shape[d] < 0) {
          return reject("%s %s has shape %s: unknown non-batch dimension %d needs dynamic shapes", what,
              t.name(), t.shapeString(), d);
        }
      }
    }
    return OK;
  }
}
