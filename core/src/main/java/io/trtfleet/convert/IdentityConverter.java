package io.trtfleet.convert;

import io.trtfleet.graph.Node;

/** Identity, Snapshot, StopGradient: the output is the input tensor, no ONNX node at all. */
final class IdentityConverter implements OpConverter {

  @Override
  public void convert(Node node, ConversionContext ctx) {
    ctx.values.alias(node, 0, ctx.in(node, 0));
  }
}
