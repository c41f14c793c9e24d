package io.trtfleet.segment;

import io.trtfleet.Precision;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorSpec;
import java.util.Optional;

/**
 * What a validator may look at besides the node: the graph (producers of the node's inputs, their
 * static shapes and constant values), the precision mode and whether engines get dynamic shapes.
 * With static shapes ({@code dynamicShapes == false}, TF-TRT's implicit batch mode) dimension 0 is the
 * batch, which ops may not touch, and every other dimension must be known.
 */
public record ValidationContext(FrozenGraph graph, Precision precision, ShapeMode shapes) {

  public boolean implicitBatch() {
    return shapes == ShapeMode.STATIC;
  }

  public boolean dynamicShapes() {
    return shapes != ShapeMode.STATIC;
  }

  /** Number of data inputs of the node. */
  public int inputCount(Node node) {
    return node.dataInputs().size();
  }

  public TensorSpec input(Node node, int index) {
    return graph.tensor(node.dataInputs().get(index));
  }

  public Node producer(Node node, int index) {
    return graph.node(node.dataInputs().get(index).node());
  }

  /** True when data input {@code index} is the output of a Const (TensorRT weights). */
  public boolean isConst(Node node, int index) {
    return producer(node, index).op().equals("Const");
  }

  /** Integer values of a Const input (int32 or int64), empty when the input is computed at run time. */
  public Optional<long[]> constInts(Node node, int index) {
    return graph.constInts(node.dataInputs().get(index));
  }

  /** A single integer Const input (an axis), empty when absent or not a scalar. */
  public Optional<Long> constInt(Node node, int index) {
    return constInts(node, index).filter(v -> v.length == 1).map(v -> v[0]);
  }

  /** Normalizes a possibly negative axis against a rank; -1 when the rank is unknown. */
  public static long axis(long axis, int rank) {
    if (rank < 0) {
      return axis < 0 ? -1 : axis;
    }
    return axis < 0 ? axis + rank : axis;
  }
}
