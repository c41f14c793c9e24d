package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import java.util.Optional;

/**
 * Folds what follows a convolution or fully connected layer into its weights and bias, where that is
 * exact arithmetic: BiasAdd, Add/Sub/Mul of a per-channel constant (Keras' unfused batch norm), and
 * inference-mode FusedBatchNorm
 * (scale = gamma / sqrt(var + eps); W' = W * scale; b' = (b - mean) * scale + beta). Weights are laid
 * out with the output channel first, so scaling a channel scales one contiguous row.
 */
final class ChannelEpilogue {

  private ChannelEpilogue() {}

  /**
   * Folds the chain of sole consumers after {@code producer} into {@code weights} and {@code bias}
   * (both modified in place) and returns the last node folded ({@code producer} when none).
   *
   * @param channelAxis the axis of the output channel in the TensorFlow output (3 for NHWC, 1 for NCHW,
   *     1 for a [batch, units] matrix)
   */
  static Node fold(ConversionContext ctx, Node producer, float[] weights, float[] bias, int channelAxis) {
    Node last = producer;
    while (true) {
      Optional<Node> next = ctx.scope.soleConsumer(last);
      if (next.isEmpty() || !foldOne(ctx, last, next.get(), weights, bias, channelAxis)) {
        return last;
      }
      ctx.absorb(next.get(), producer.name());
      last = next.get();
    }
  }

  private static boolean foldOne(ConversionContext ctx, Node prev, Node n, float[] w, float[] b, int channelAxis) {
    int channels = b.length;
    switch (n.op()) {
      case "BiasAdd", "BiasAddV1" -> {
        boolean nhwc = n.stringAttr("data_format", "NHWC").equals("NHWC");
        int rank = prev.output(0).rank();
        int axis = nhwc ? rank - 1 : 1;
        float[] add = perChannel(ctx, n, otherInput(n, prev), channels, axis, rank);
        if (add == null || axis != channelAxis) {
          return false;
        }
        for (int c = 0; c < channels; c++) {
          b[c] += add[c];
        }
        return true;
      }
      case "Add", "AddV2", "Sub" -> {
        int rank = prev.output(0).rank();
        // Sub only as prev - constant (constant - prev would negate the weights too).
        if (n.op().equals("Sub") && !n.dataInputs().get(0).node().equals(prev.name())) {
          return false;
        }
        float[] add = perChannel(ctx, n, otherInput(n, prev), channels, channelAxis, rank);
        if (add == null || !sameShape(n, prev)) {
          return false;
        }
        float sign = n.op().equals("Sub") ? -1f : 1f;
        for (int c = 0; c < channels; c++) {
          b[c] += sign * add[c];
        }
        return true;
      }
      case "Mul" -> {
        // A per-channel scale (Keras' unfused batch norm): scales the channel's weights and bias.
        int rank = prev.output(0).rank();
        float[] scale = perChannel(ctx, n, otherInput(n, prev), channels, channelAxis, rank);
        if (scale == null || !sameShape(n, prev)) {
          return false;
        }
        int per = w.length / channels;
        for (int c = 0; c < channels; c++) {
          for (int i = 0; i < per; i++) {
            w[c * per + i] *= scale[c];
          }
          b[c] *= scale[c];
        }
        return true;
      }
      case "FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3" -> {
        if (n.boolAttr("is_training", true) || n.dataInputs().get(0).index() != 0 || readsExtraOutputs(ctx, n)) {
          return false;
        }
        boolean nhwc = n.stringAttr("data_format", "NHWC").equals("NHWC");
        if ((nhwc ? 3 : 1) != channelAxis || prev.output(0).rank() != 4) {
          return false;
        }
        float[][] p = new float[4][];
        for (int i = 0; i < 4; i++) {
          p[i] = vector(ctx, n.dataInputs().get(i + 1), channels);
          if (p[i] == null) {
            return false;
          }
        }
        double eps = n.floatAttr("epsilon", 1e-4f);
        int per = w.length / channels;
        for (int c = 0; c < channels; c++) {
          double scale = p[0][c] / Math.sqrt((double) p[3][c] + eps);
          for (int i = 0; i < per; i++) {
            w[c * per + i] = (float) (w[c * per + i] * scale);
          }
          b[c] = (float) ((b[c] - p[2][c]) * scale + p[1][c]);
        }
        return true;
      }
      default -> {
        return false;
      }
    }
  }

  private static TensorRef otherInput(Node n, Node prev) {
    for (TensorRef r : n.dataInputs()) {
      if (!r.node().equals(prev.name())) {
        return r;
      }
    }
    return n.dataInputs().get(0);
  }

  private static boolean sameShape(Node add, Node prev) {
    return java.util.Arrays.equals(add.output(0).shape(), prev.output(0).shape());
  }

  private static boolean readsExtraOutputs(ConversionContext ctx, Node bn) {
    for (String user : ctx.graph.consumers(bn.name())) {
      for (TensorRef r : ctx.graph.node(user).dataInputs()) {
        if (r.node().equals(bn.name()) && r.index() != 0) {
          return true;
        }
      }
    }
    return false;
  }

  /** A float constant with exactly {@code channels} values, or null. */
  private static float[] vector(ConversionContext ctx, TensorRef ref, int channels) {
    Constant c = ctx.values.constantValue(ref).orElse(null);
    return c != null && c.isFloat() && c.size() == channels ? c.floats() : null;
  }

  /**
   * The per-channel values of a constant that broadcasts along {@code axis} only (a scalar counts),
   * right-aligned against an output of rank {@code rank}; null otherwise.
   */
  private static float[] perChannel(ConversionContext ctx, Node n, TensorRef ref, int channels, int axis, int rank) {
    Constant c = ctx.values.constantValue(ref).orElse(null);
    if (c == null || !c.isFloat() || c.rank() > rank) {
      return null;
    }
    long[] s = c.shape();
    int offset = rank - s.length;
    for (int i = 0; i < s.length; i++) {
      if (s[i] != 1 && !(i + offset == axis && s[i] == channels)) {
        return null;
      }
    }
    float[] out = new float[channels];
    for (int i = 0; i < channels; i++) {
      out[i] = c.size() == 1 ? c.floats()[0] : c.floats()[i];
    }
    return out;
  }
}
