package io.trtfleet.segment;

import static io.trtfleet.segment.Checks.OK;
import static io.trtfleet.segment.Checks.reject;

import io.trtfleet.graph.Node;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.proto.DataType;

/** Element-wise math, activations, matrix products, reductions, Softmax, Cast and Einsum. */
final class MathValidators {

  static final List<String> BINARY = List.of("Add", "AddV2", "Sub", "Mul", "RealDiv", "Maximum", "Minimum",
      "Pow");
  static final List<String> ACTIVATIONS = List.of("Relu", "Relu6", "LeakyRelu", "Elu", "Selu", "Sigmoid",
      "Tanh", "Softplus", "Erf", "Exp", "Log", "Sqrt", "Rsqrt", "Reciprocal");
  static final List<String> NUMERIC_UNARY = List.of("Square", "Abs", "Neg");
  static final List<String> REDUCTIONS = List.of("Mean", "Sum", "Max", "Min", "Prod");

  private MathValidators() {}

  static void register(Map<String, OpValidator> table) {
    for (String op : BINARY) {
      Set<DataType> types = op.equals("Pow") ? Dtypes.FLOATS : Dtypes.NUMERIC;
      table.put(op, Checks.dtype(types).and(MathValidators::binary));
    }
    ACTIVATIONS.forEach(op -> table.put(op, Checks.dtype(Dtypes.FLOATS)));
    NUMERIC_UNARY.forEach(op -> table.put(op, Checks.dtype(Dtypes.NUMERIC)));
    table.put("BiasAdd", Checks.dtype(Dtypes.NUMERIC).and(Checks.dataFormat()).and(Checks.minRank(0, 2))
        .and(Checks.rank(1, 1)));
    table.put("MatMul", Checks.dtype(Dtypes.FLOATS).and(Checks.rank(0, 2)).and(Checks.rank(1, 2))
        .and(MathValidators::int8Weights));
    table.put("BatchMatMulV2", Checks.dtype(Dtypes.FLOATS).and(Checks.minRank(0, 2)).and(Checks.minRank(1, 2))
        .and(MathValidators::batchMatMulRanks));
    table.put("BatchMatMul", table.get("BatchMatMulV2"));
    REDUCTIONS.forEach(op -> table.put(op, Checks.dtype(Dtypes.NUMERIC).and(MathValidators::reduction)));
    table.put("Softmax", Checks.dtype(Dtypes.FLOATS).and((node, ctx) ->
        Checks.minRank(0, ctx.implicitBatch() ? 2 : 1).validate(node, ctx)));
    table.put("Cast", MathValidators::cast);
    table.put("Einsum", Checks.dtype(Dtypes.FLOATS).and(MathValidators::einsum));
    table.put("FakeQuantWithMinMaxArgs", MathValidators::fakeQuantBits);
    table.put("FakeQuantWithMinMaxVars", Checks.constInput(1, "min").and(Checks.constInput(2, "max"))
        .and(MathValidators::fakeQuantBits));
    table.put("FakeQuantWithMinMaxVarsPerChannel", table.get("FakeQuantWithMinMaxVars"));
    List.of("Floor", "Ceil", "Inv").forEach(op -> table.put(op, Checks.dtype(Dtypes.FLOATS)));
    table.put("SquaredDifference", Checks.dtype(Dtypes.FLOATS).and(MathValidators::binary));
    table.put("LogSoftmax", table.get("Softmax"));
  }

  /** TensorRT folds nothing: two constant operands are TensorFlow's constant folding's job. */
  private static Optional<String> binary(Node node, ValidationContext ctx) {
    boolean c0 = ctx.isConst(node, 0);
    boolean c1 = ctx.isConst(node, 1);
    if (c0 && c1) {
      return reject("both operands are constants (left to TensorFlow's constant folding)");
    }
    if (ctx.implicitBatch() && (c0 || c1)) {
      long[] weights = ctx.input(node, c0 ? 0 : 1).shape();
      int tensorRank = ctx.input(node, c0 ? 1 : 0).rank();
      if (weights != null && weights.length == tensorRank && weights.length > 0 && weights[0] != 1) {
        return reject("broadcasting a constant of shape %s over the batch dimension is not supported with"
            + " static shapes", io.trtfleet.graph.TensorSpec.shapeString(weights));
      }
    }
    return OK;
  }

  /**
   * INT8 engines quantize a dense layer's weights ahead of time, so MatMul needs a constant operand.
   * BatchMatMulV2 (attention: activations times activations) takes calibrated tensors on both sides.
   */
  private static Optional<String> int8Weights(Node node, ValidationContext ctx) {
    if (ctx.precision().quantized() && !ctx.isConst(node, 0) && !ctx.isConst(node, 1)) {
      return reject("INT8 needs constant weights, but both operands are computed at run time");
    }
    return OK;
  }

  private static Optional<String> batchMatMulRanks(Node node, ValidationContext ctx) {
    int a = ctx.input(node, 0).rank();
    int b = ctx.input(node, 1).rank();
    if (ctx.implicitBatch() && !ctx.isConst(node, 0) && !ctx.isConst(node, 1) && a != b) {
      return reject("operands of rank %d and %d need dynamic shapes", a, b);
    }
    return OK;
  }

  private static Optional<String> reduction(Node node, ValidationContext ctx) {
    Optional<long[]> axes = ctx.constInts(node, 1);
    if (axes.isEmpty()) {
      return reject("reduction axes (input 1) must be a constant");
    }
    int rank = ctx.input(node, 0).rank();
    if (axes.get().length == 0) {
      return reject("an empty axis list (a no-op) is not supported");
    }
    for (long axis : axes.get()) {
      Optional<String> r = Checks.notBatch(ctx, axis, rank, "reducing");
      if (r.isPresent()) {
        return r;
      }
    }
    return OK;
  }

  /** Quantization-aware training's fake quantization: explicit INT8 Q/DQ holds 2 to 8 bits. */
  private static Optional<String> fakeQuantBits(Node node, ValidationContext ctx) {
    long bits = node.intAttr("num_bits", 8);
    return bits >= 2 && bits <= 8 ? OK : reject("num_bits %d is not supported (2 to 8)", bits);
  }

  private static final Set<DataType> CASTABLE = Set.of(DataType.DT_FLOAT, DataType.DT_HALF, DataType.DT_INT32,
      DataType.DT_BOOL);

  private static Optional<String> cast(Node node, ValidationContext ctx) {
    DataType from = node.typeAttr("SrcT").orElse(DataType.DT_INVALID);
    DataType to = node.typeAttr("DstT").orElse(DataType.DT_INVALID);
    if (!CASTABLE.contains(from) || !CASTABLE.contains(to)) {
      return reject("%s -> %s not supported", Dtypes.name(from), Dtypes.name(to));
    }
    return OK;
  }

  /**
   * The forms TF-TRT's Einsum converter takes: two operands, no ellipsis, no letter repeated inside
   * one operand (diagonals); dynamic shapes only.
   */
  private static Optional<String> einsum(Node node, ValidationContext ctx) {
    if (ctx.implicitBatch()) {
      return reject("needs dynamic shapes");
    }
    String eq = node.stringAttr("equation", "").replace(" ", "");
    if (ctx.inputCount(node) != 2) {
      return reject("only two operands are supported, got %d", ctx.inputCount(node));
    }
    if (eq.contains("...")) {
      return reject("equation '%s' with an ellipsis is not supported", eq);
    }
    String[] io = eq.split("->", -1);
    String[] operands = io[0].split(",", -1);
    if (io.length != 2 || operands.length != 2) {
      return reject("equation '%s' needs an explicit output (a,b->c)", eq);
    }
    for (int i = 0; i < 2; i++) {
      if (operands[i].chars().distinct().count() != operands[i].length()) {
        return reject("equation '%s' repeats a label inside an operand (diagonal)", eq);
      }
      int rank = ctx.input(node, i).rank();
      if (rank >= 0 && rank != operands[i].length()) {
        return reject("equation '%s' does not match the rank %d of operand %d", eq, rank, i);
      }
    }
    Map<Character, Integer> seen = new HashMap<>();
    for (char c : io[0].replace(",", "").toCharArray()) {
      seen.merge(c, 1, Integer::sum);
    }
    for (char c : io[1].toCharArray()) {
      if (!seen.containsKey(c)) {
        return reject("equation '%s' has output label '%c' that no operand has", eq, c);
      }
    }
    return OK;
  }
}
