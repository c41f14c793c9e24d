package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import io.trtfleet.segment.DilatedConvolution;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.NodeDef;

/**
 * SpaceToBatchND, convolution, BatchToSpaceND ({@link DilatedConvolution}) as one dilated convolution:
 * the convolution's converter runs on a Conv2D that reads the SpaceToBatchND input with the block as
 * dilations and explicit pads, and stands for the BatchToSpaceND output (so a following BiasAdd still
 * folds in). The three nodes are converted at the SpaceToBatchND.
 */
final class DilatedConvConverter implements OpConverter {

  private final OpConverter convolution;

  DilatedConvConverter(OpConverter convolution) {
    this.convolution = convolution;
  }

  @Override
  public void convert(Node node, ConversionContext ctx) {
    DilatedConvolution d = DilatedConvolution.around(ctx.graph, node).orElseThrow(() -> new UnsupportedNodeException(
        node, "not part of a SpaceToBatchND - convolution - BatchToSpaceND dilated convolution"));
    if (node.op().equals("BatchToSpaceND")) {
      throw new UnsupportedNodeException(node, "converted with its SpaceToBatchND "
          + d.spaceToBatch().name() + ", which is outside the segment");
    }
    Node conv = d.convolution();
    NodeDef.Builder def = conv.def().toBuilder().setName(d.batchToSpace().name()).clearInput()
        .addInput(d.spaceToBatch().def().getInput(0)).addInput(conv.def().getInput(1))
        .putAttr("padding", AttrValue.newBuilder().setS(com.google.protobuf.ByteString.copyFromUtf8("EXPLICIT")).build())
        .putAttr("dilations", ints(1, d.dilations()[0], d.dilations()[1], 1))
        .putAttr("explicit_paddings", ints(0, 0, d.pads()[0], d.pads()[2], d.pads()[1], d.pads()[3], 0, 0));
    Node fused = new Node(def.build(), java.util.List.of(node.inputs().get(0), conv.dataInputs().get(1)),
        d.batchToSpace().outputs());
    ctx.absorb(conv, node.name());
    ctx.absorb(d.batchToSpace(), node.name());
    convolution.convert(fused, ctx);
  }

  private static AttrValue ints(long... values) {
    AttrValue.ListValue.Builder l = AttrValue.ListValue.newBuilder();
    for (long v : values) {
      l.addI(v);
    }
    return AttrValue.newBuilder().setList(l).build();
  }
}
