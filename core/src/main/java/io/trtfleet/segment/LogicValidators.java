package io.trtfleet.segment;

import static io.trtfleet.segment.Checks.OK;
import static io.trtfleet.segment.Checks.reject;

import io.trtfleet.graph.Node;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.proto.DataType;

/**
 * Comparisons, logic, selection and the ops shaped like their inputs (ZerosLike, OnesLike, AddN,
 * IdentityN): masks and guards around the numeric layers.
 */
final class LogicValidators {

  static final List<String> COMPARISONS = List.of("Less", "LessEqual", "Greater", "GreaterEqual", "Equal",
      "NotEqual");
  private static final Set<DataType> BOOL = Set.of(DataType.DT_BOOL);

  private LogicValidators() {}

  static void register(Map<String, OpValidator> table) {
    COMPARISONS.forEach(op -> table.put(op, Checks.dtype(Dtypes.NUMERIC).and(LogicValidators::notBothConstant)));
    List.of("LogicalAnd", "LogicalOr").forEach(op -> table.put(op, LogicValidators::notBothConstant));
    table.put("LogicalNot", OpValidator.any());
    table.put("IsNan", Checks.dtype(Dtypes.FLOATS));
    table.put("IsFinite", Checks.dtype(Dtypes.FLOATS));
    table.put("Select", Checks.dtype(Dtypes.TENSORRT_TENSOR).and(LogicValidators::condition));
    table.put("SelectV2", Checks.dtype(Dtypes.TENSORRT_TENSOR).and(LogicValidators::condition));
    table.put("ZerosLike", Checks.dtype(Dtypes.TENSORRT_TENSOR));
    table.put("OnesLike", Checks.dtype(Dtypes.TENSORRT_TENSOR));
    table.put("AddN", Checks.dtype(Dtypes.NUMERIC));
    table.put("IdentityN", OpValidator.any());
  }

  private static Optional<String> notBothConstant(Node node, ValidationContext ctx) {
    return ctx.isConst(node, 0) && ctx.isConst(node, 1)
        ? reject("both operands are constants (left to TensorFlow's constant folding)") : OK;
  }

  private static Optional<String> condition(Node node, ValidationContext ctx) {
    if (!BOOL.contains(ctx.input(node, 0).dtype())) {
      return reject("condition (input 0) must be bool");
    }
    if (ctx.input(node, 0).rank() < 0 || node.output(0).rank() < 0) {
      return reject("needs known ranks");
    }
    return OK;
  }
}
