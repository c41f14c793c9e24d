package io.trtfleet.segment;

import static io.trtfleet.segment.Checks.OK;
import static io.trtfleet.segment.Checks.reject;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorSpec;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.proto.DataType;

/**
 * Ops that move data rather than compute: reshapes, transposes, concatenation, slicing, padding,
 * gathers. With static shapes none of them may touch the batch dimension.
 */
final class ShapeValidators {

  private ShapeValidators() {}

  static void register(Map<String, OpValidator> table) {
    table.put("Reshape", Checks.constInputUnlessDynamic(1, "shape").and(ShapeValidators::reshape));
    table.put("Squeeze", ShapeValidators::squeeze);
    table.put("ExpandDims", (node, ctx) -> {
      Optional<Long> axis = ctx.constInt(node, 1);
      if (axis.isEmpty()) {
        return reject("axis (input 1) must be a constant scalar");
      }
      return Checks.notBatch(ctx, axis.get(), ctx.input(node, 0).rank() + 1, "inserting a dimension");
    });
    table.put("Transpose", ShapeValidators::transpose);
    table.put("ConcatV2", (node, ctx) -> Checks.constAxis(ctx.inputCount(node) - 1, 0, "concatenating")
        .validate(node, ctx));
    table.put("Pack", (node, ctx) -> Checks.notBatch(ctx, node.intAttr("axis", 0),
        ctx.input(node, 0).rank() + 1, "stacking"));
    table.put("Unpack", (node, ctx) -> Checks.notBatch(ctx, node.intAttr("axis", 0),
        ctx.input(node, 0).rank(), "unstacking"));
    table.put("Split", Checks.constAxis(0, 1, "splitting"));
    table.put("SplitV", Checks.constInput(1, "size_splits").and(Checks.constAxis(2, 0, "splitting")));
    table.put("Slice", Checks.constInput(1, "begin").and(Checks.constInput(2, "size"))
        .and(ShapeValidators::slice));
    table.put("StridedSlice", Checks.constInput(1, "begin").and(Checks.constInput(2, "end"))
        .and(Checks.constInput(3, "strides")).and(ShapeValidators::stridedSlice));
    OpValidator pad = Checks.constInput(1, "paddings").and(ShapeValidators::pad);
    table.put("Pad", pad);
    table.put("PadV2", pad.and(Checks.constInput(2, "constant_values")));
    table.put("Shape", (node, ctx) -> {
      if (ctx.implicitBatch()) {
        return reject("needs dynamic shapes (the batch size is not a tensor with static shapes)");
      }
      DataType out = node.typeAttr("out_type").orElse(DataType.DT_INT32);
      return out == DataType.DT_INT32 ? OK : reject("out_type %s is not supported (int32 only)", Dtypes.name(out));
    });
    table.put("Fill", (node, ctx) -> ctx.implicitBatch() ? reject("needs dynamic shapes") : OK);
    table.put("Tile", Checks.constInputUnlessDynamic(1, "multiples").and(ShapeValidators::tile));
    table.put("GatherV2", ShapeValidators::gather);
  }

  private static Optional<String> reshape(Node node, ValidationContext ctx) {
    if (!ctx.implicitBatch()) {
      return OK;
    }
    long[] target = ctx.constInts(node, 1).orElse(null);
    long[] input = ctx.input(node, 0).shape();
    if (target == null || input == null) {
      return reject("needs a known input rank and a constant shape with static shapes");
    }
    boolean keepsBatch = target.length > 0 && input.length > 0
        && (target[0] == -1 || target[0] == input[0] && input[0] >= 0)
        && (target[0] != -1 || product(input, 1) < 0 || product(target, 1) < 0
            || product(input, 1) == product(target, 1));
    if (!keepsBatch) {
      return reject("changing the batch dimension (%s -> %s) is not supported with static shapes",
          TensorSpec.shapeString(input), TensorSpec.shapeString(target));
    }
    return OK;
  }

  /** Product of the dimensions from {@code from} on; -1 when one is unknown. */
  private static long product(long[] dims, int from) {
    long p = 1;
    for (int i = from; i < dims.length; i++) {
      if (dims[i] < 0) {
        return -1;
      }
      p *= dims[i];
    }
    return p;
  }

  private static Optional<String> squeeze(Node node, ValidationContext ctx) {
    int rank = ctx.input(node, 0).rank();
    var dims = node.intListAttr("squeeze_dims");
    if (dims.isEmpty()) {
      if (!ctx.input(node, 0).isFullyDefined() && !(ctx.implicitBatch() && knownAfterBatch(ctx, node))) {
        return reject("squeezing all size-1 dimensions needs a fully known input shape");
      }
      return OK;
    }
    for (long d : dims) {
      Optional<String> r = Checks.notBatch(ctx, d, rank, "squeezing");
      if (r.isPresent()) {
        return r;
      }
    }
    return OK;
  }

  private static boolean knownAfterBatch(ValidationContext ctx, Node node) {
    long[] s = ctx.input(node, 0).shape();
    for (int i = 1; s != null && i < s.length; i++) {
      if (s[i] < 0) {
        return false;
      }
    }
    return s != null;
  }

  private static Optional<String> transpose(Node node, ValidationContext ctx) {
    Optional<long[]> perm = ctx.constInts(node, 1);
    if (perm.isEmpty()) {
      return reject("perm (input 1) must be a constant");
    }
    if (ctx.implicitBatch() && perm.get().length > 0 && perm.get()[0] != 0) {
      return reject("transposing the batch dimension (perm %s) is not supported with static shapes",
          TensorSpec.shapeString(perm.get()));
    }
    return OK;
  }

  private static Optional<String> slice(Node node, ValidationContext ctx) {
    long[] begin = ctx.constInts(node, 1).orElse(new long[0]);
    long[] size = ctx.constInts(node, 2).orElse(new long[0]);
    if (ctx.implicitBatch() && begin.length > 0 && (begin[0] != 0 || size[0] != -1)) {
      return reject("slicing the batch dimension is not supported with static shapes");
    }
    return OK;
  }

  private static Optional<String> stridedSlice(Node node, ValidationContext ctx) {
    if (node.intAttr("ellipsis_mask", 0) != 0 && node.intAttr("new_axis_mask", 0) != 0) {
      return reject("ellipsis_mask together with new_axis_mask is not supported");
    }
    if (!ctx.implicitBatch()) {
      return OK;
    }
    long[] begin = ctx.constInts(node, 1).orElse(new long[] {0});
    long[] end = ctx.constInts(node, 2).orElse(new long[] {0});
    long[] strides = ctx.constInts(node, 3).orElse(new long[] {1});
    boolean wholeBatch = (node.intAttr("begin_mask", 0) & 1) != 0 || begin.length > 0 && begin[0] == 0;
    wholeBatch &= (node.intAttr("end_mask", 0) & 1) != 0;
    wholeBatch &= strides.length == 0 || strides[0] == 1;
    wholeBatch &= (node.intAttr("shrink_axis_mask", 0) & 1) == 0 && (node.intAttr("new_axis_mask", 0) & 1) == 0;
    if (node.intAttr("ellipsis_mask", 0) == 1) {
      wholeBatch = true;  // "..." first: the batch dimension is kept whole
    }
    return wholeBatch || end.length == 0 ? OK
        : reject("slicing the batch dimension is not supported with static shapes");
  }

  private static Optional<String> pad(Node node, ValidationContext ctx) {
    long[] paddings = ctx.constInts(node, 1).orElse(new long[0]);
    if (ctx.implicitBatch() && paddings.length >= 2 && (paddings[0] != 0 || paddings[1] != 0)) {
      return reject("padding the batch dimension is not supported with static shapes");
    }
    return OK;
  }

  private static Optional<String> tile(Node node, ValidationContext ctx) {
    long[] multiples = ctx.constInts(node, 1).orElse(new long[0]);
    if (ctx.implicitBatch() && multiples.length > 0 && multiples[0] != 1) {
      return reject("tiling the batch dimension is not supported with static shapes");
    }
    return OK;
  }

  private static final Set<DataType> INDICES = Set.of(DataType.DT_INT32);

  private static Optional<String> gather(Node node, ValidationContext ctx) {
    if (node.intAttr("batch_dims", 0) != 0) {
      return reject("batch_dims %d is not supported", node.intAttr("batch_dims", 0));
    }
    Optional<Long> axis = ctx.constInt(node, 2);
    if (axis.isEmpty()) {
      return reject("axis (input 2) must be a constant scalar");
    }
    DataType indices = ctx.input(node, 1).dtype();
    if (!ctx.isConst(node, 1) && !INDICES.contains(indices)) {
      return reject("%s indices are not supported (int32 only)", Dtypes.name(indices));
    }
    if (ctx.implicitBatch() && !ctx.isConst(node, 0) && !ctx.isConst(node, 1)) {
      return reject("params and indices both computed at run time need dynamic shapes");
    }
    return Checks.notBatch(ctx, axis.get(), ctx.input(node, 0).rank(), "gathering");
  }
}
