package io.trtfleet.segment;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * TensorFlow's {@code with_space_to_batch} form of a dilated convolution ({@code tf.nn.atrous_conv2d},
 * dilated depthwise convolutions, TF1 dilated Conv1D): SpaceToBatchND, a VALID Conv2D or
 * DepthwiseConv2dNative with unit strides and dilations, BatchToSpaceND. It is the same as one
 * convolution dilated by the block shape over the input padded by the SpaceToBatchND paddings minus the
 * BatchToSpaceND crops, which is what TensorRT gets (the batch dimension is never reshaped).
 *
 * @param pads ONNX order [h_begin, w_begin, h_end, w_end]
 */
public record DilatedConvolution(Node spaceToBatch, Node convolution, Node batchToSpace, long[] dilations,
    long[] pads) {

  private static final Set<String> CONVOLUTIONS = Set.of("Conv2D", "DepthwiseConv2dNative");

  /** The pattern around a SpaceToBatchND or BatchToSpaceND node, when it is one. */
  public static Optional<DilatedConvolution> around(FrozenGraph g, Node node) {
    if (node.op().equals("BatchToSpaceND")) {
      Node conv = g.node(node.dataInputs().get(0).node());
      if (!CONVOLUTIONS.contains(conv.op())) {
        return Optional.empty();
      }
      Node s2b = g.node(conv.dataInputs().get(0).node());
      return s2b.op().equals("SpaceToBatchND") ? of(g, s2b) : Optional.empty();
    }
    return node.op().equals("SpaceToBatchND") ? of(g, node) : Optional.empty();
  }

  private static Optional<DilatedConvolution> of(FrozenGraph g, Node s2b) {
    Optional<Node> conv = sole(g, s2b).filter(c -> CONVOLUTIONS.contains(c.op())
        && c.stringAttr("padding", "").equals("VALID") && c.stringAttr("data_format", "NHWC").equals("NHWC")
        && units(c.intListAttr("strides")) && units(c.intListAttr("dilations"))
        && c.dataInputs().get(0).node().equals(s2b.name()));
    Optional<Node> b2s = conv.flatMap(c -> sole(g, c)).filter(b -> b.op().equals("BatchToSpaceND")
        && b.dataInputs().get(0).index() == 0);
    if (b2s.isEmpty() || s2b.output(0).rank() != 4) {
      return Optional.empty();
    }
    long[] block = g.constInts(s2b.dataInputs().get(1)).orElse(null);
    long[] paddings = g.constInts(s2b.dataInputs().get(2)).orElse(null);
    long[] block2 = g.constInts(b2s.get().dataInputs().get(1)).orElse(null);
    long[] crops = g.constInts(b2s.get().dataInputs().get(2)).orElse(null);
    if (block == null || paddings == null || crops == null || block.length != 2
        || !java.util.Arrays.equals(block, block2) || paddings.length != 4 || crops.length != 4) {
      return Optional.empty();
    }
    long[] pads = {paddings[0] - crops[0], paddings[2] - crops[2], paddings[1] - crops[1], paddings[3] - crops[3]};
    for (long p : pads) {
      if (p < 0) {
        return Optional.empty();
      }
    }
    return Optional.of(new DilatedConvolution(s2b, conv.get(), b2s.get(), block.clone(), pads));
  }

  private static Optional<Node> sole(FrozenGraph g, Node n) {
    List<String> users = g.consumers(n.name());
    return users.size() == 1 ? Optional.of(g.node(users.get(0))) : Optional.empty();
  }

  private static boolean units(List<Long> values) {
    return values.stream().allMatch(v -> v == 1);
  }
}
