package io.trtfleet.segment;

import io.trtfleet.graph.Node;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.tensorflow.proto.DataType;

/** Building blocks of the op validators; each returns a reason when the check fails. */
final class Checks {

  private Checks() {}

  static final Optional<String> OK = Optional.empty();

  static Optional<String> reject(String format, Object... args) {
    return Optional.of(String.format(java.util.Locale.ROOT, format, args));
  }

  /** The dtype attribute ({@code T} by default) is one of {@code allowed}. */
  static OpValidator dtype(String attr, Set<DataType> allowed) {
    return (node, ctx) -> {
      Optional<DataType> t = node.typeAttr(attr);
      if (t.isPresent() && !allowed.contains(t.get())) {
        return reject("%s %s is not supported (%s only)", attr, Dtypes.name(t.get()), names(allowed));
      }
      return OK;
    };
  }

  static OpValidator dtype(Set<DataType> allowed) {
    return dtype("T", allowed);
  }

  /** Data input {@code index} has exactly {@code rank} dimensions. */
  static OpValidator rank(int index, int rank) {
    return (node, ctx) -> {
      if (ctx.inputCount(node) <= index) {
        return reject("expects at least %d inputs", index + 1);
      }
      int actual = ctx.input(node, index).rank();
      return actual == rank ? OK : reject("input %d must have rank %d, got %s", index, rank,
          actual < 0 ? "unknown rank" : String.valueOf(actual));
    };
  }

  /** Data input {@code index} has at least {@code rank} dimensions. */
  static OpValidator minRank(int index, int rank) {
    return (node, ctx) -> {
      int actual = ctx.input(node, index).rank();
      return actual >= rank ? OK : reject("input %d must have rank >= %d, got %s", index, rank,
          actual < 0 ? "unknown rank" : String.valueOf(actual));
    };
  }

  /** Data input {@code index} comes from a Const. */
  static OpValidator constInput(int index, String what) {
    return (node, ctx) -> ctx.inputCount(node) > index && ctx.isConst(node, index) ? OK
        : reject("%s (input %d) must be a constant", what, index);
  }

  /** Data input {@code index} is a Const in static-shape mode (dynamic shapes take tensors too). */
  static OpValidator constInputUnlessDynamic(int index, String what) {
    return (node, ctx) -> ctx.dynamicShapes() || ctx.isConst(node, index) ? OK
        : reject("%s (input %d) must be a constant with static shapes", what, index);
  }

  /** {@code data_format} is NHWC or NCHW; returns the channel axis. */
  static OpValidator dataFormat() {
    return (node, ctx) -> {
      String f = node.stringAttr("data_format", "NHWC");
      return f.equals("NHWC") || f.equals("NCHW") ? OK : reject("data_format %s is not supported", f);
    };
  }

  static int channelAxis(Node node) {
    return node.stringAttr("data_format", "NHWC").equals("NCHW") ? 1 : 3;
  }

  /** An int-list attribute (strides, dilations, ksize) is 1 on the batch and channel axes. */
  static OpValidator unitOnBatchAndChannel(String attr) {
    return (node, ctx) -> {
      var values = node.intListAttr(attr);
      if (values.isEmpty()) {
        return OK;
      }
      if (values.size() != 4) {
        return reject("%s must have 4 values, got %s", attr, values);
      }
      int c = channelAxis(node);
      if (values.get(0) != 1) {
        return reject("data_format %s with %s on the batch axis is not supported",
            node.stringAttr("data_format", "NHWC"), attr);
      }
      if (values.get(c) != 1) {
        return reject("data_format %s with %s on the channel axis is not supported",
            node.stringAttr("data_format", "NHWC"), attr);
      }
      return OK;
    };
  }

  /** {@code padding} is SAME or VALID. */
  static OpValidator padding() {
    return (node, ctx) -> {
      String p = node.stringAttr("padding", "VALID");
      return p.equals("SAME") || p.equals("VALID") ? OK : reject("padding %s is not supported", p);
    };
  }

  /** An axis given as a Const input; with static shapes it must not be the batch axis. */
  static OpValidator constAxis(int index, int rankOfInput, String what) {
    return (node, ctx) -> {
      Optional<Long> axis = ctx.constInt(node, index);
      if (axis.isEmpty()) {
        return reject("%s (input %d) must be a constant scalar", what, index);
      }
      int rank = ctx.input(node, rankOfInput).rank();
      return notBatch(ctx, axis.get(), rank, what);
    };
  }

  /** With static shapes, {@code axis} (possibly negative) must not be dimension 0. */
  static Optional<String> notBatch(ValidationContext ctx, long axis, int rank, String what) {
    if (ctx.implicitBatch() && ValidationContext.axis(axis, rank) == 0) {
      return reject("%s on the batch dimension is not supported with static shapes", what);
    }
    return OK;
  }

  static String names(Set<DataType> dtypes) {
    return dtypes.stream().map(Dtypes::name).sorted().collect(Collectors.joining(", "));
  }
}
