package io.trtfleet.convert;

import io.trtfleet.graph.Node;

/** Emits the ONNX nodes for one TensorFlow node (and any nodes it folds in) into the context. */
@FunctionalInterface
interface OpConverter {

  /** @throws UnsupportedNodeException when the node cannot be expressed exactly */
  void convert(Node node, ConversionContext ctx);
}
