package io.trtfleet.convert;

/**
 * A converter cannot express a node exactly. The whole segment then falls back to TensorFlow with
 * this message as the reason: never a wrong model.
 */
final class UnsupportedNodeException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  UnsupportedNodeException(io.trtfleet.graph.Node node, String reason) {
    super(node.op() + " node '" + node.name() + "': " + reason);
  }
}
