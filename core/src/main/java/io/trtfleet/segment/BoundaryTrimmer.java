package io.trtfleet.segment;

import io.trtfleet.graph.TensorRef;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Step 3 of segmentation, TF-TRT's boundary trimming. A Const read outside its segment leaves the segment
 * (segments may not output constants; engines get a copy instead). A node whose input from outside cannot
 * feed an engine leaves with all its producers in the segment, which keeps the segment free of paths that
 * leave it and come back: with static shapes, an input without a non-batch dimension; with
 * {@link ShapeMode#DYNAMIC_BATCH}, an input of unknown rank or with an unknown dimension after the first.
 */
final class BoundaryTrimmer {

  static final String CONST_OUTPUT = "Const: also read outside the segment, so it stays in TensorFlow"
      + " (segments may not output constants; engines get a copy)";

  private final IndexedGraph g;
  private final Partition partition;
  private final ShapeMode shapes;

  BoundaryTrimmer(Partition partition, ShapeMode shapes) {
    this.g = partition.graph;
    this.partition = partition;
    this.shapes = shapes;
  }

  void trim(List<Integer> members) {
    int id = partition.cluster[members.get(0)];
    while (true) {
      Deque<Integer> inputNodes = new ArrayDeque<>();
      Deque<Integer> constOutputs = new ArrayDeque<>();
      for (int m : members) {
        if (!partition.inCluster(m, id)) {
          continue;
        }
        String badInput = badInput(m, id);
        if (badInput != null) {
          inputNodes.add(m);
          partition.reason[m] = g.op(m) + ": segment input " + badInput;
        } else if (g.op(m).equals("Const") && readOutside(m, id)) {
          constOutputs.add(m);
        }
      }
      if (inputNodes.isEmpty() && constOutputs.isEmpty()) {
        return;
      }
      constOutputs.forEach(c -> partition.remove(c, CONST_OUTPUT));
      removeWithProducers(inputNodes, id);
    }
  }

  private void removeWithProducers(Deque<Integer> queue, int id) {
    while (!queue.isEmpty()) {
      int m = queue.pop();
      if (!partition.inCluster(m, id)) {
        continue;
      }
      partition.cluster[m] = Partition.NONE;
      for (int p : g.producers(m)) {
        if (partition.inCluster(p, id)) {
          partition.reason[p] = g.op(p) + ": removed from the segment with its consumer '" + g.node(m).name() + "'";
          queue.add(p);
        }
      }
    }
  }

  /** Why an input from outside (not a Const) cannot feed an engine in this shape mode; null when it can. */
  private String badInput(int m, int id) {
    if (shapes == ShapeMode.DYNAMIC) {
      return null;
    }
    for (TensorRef ref : g.node(m).dataInputs()) {
      int p = g.indexOf(ref);
      if (partition.inCluster(p, id) || g.op(p).equals("Const")) {
        continue;
      }
      var t = g.graph().tensor(ref);
      if (shapes == ShapeMode.STATIC && t.rank() < 2) {
        return ref.tensorName() + " has no non-batch dimension (static shapes)";
      }
      if (shapes == ShapeMode.DYNAMIC_BATCH && !staticAfterBatch(t.shape())) {
        return ref.tensorName() + " has shape " + t.shapeString() + ": only its first dimension may be unknown"
            + " for an engine built from batch sizes (shapes dynamic-batch; --shapes dynamic takes it)";
      }
    }
    return null;
  }

  private static boolean staticAfterBatch(long[] shape) {
    if (shape == null) {
      return false;
    }
    for (int d = 1; d < shape.length; d++) {
      if (shape[d] < 0) {
        return false;
      }
    }
    return true;
  }

  private boolean readOutside(int m, int id) {
    for (int c : g.consumers(m)) {
      if (!partition.inCluster(c, id)) {
        return true;
      }
    }
    return false;
  }
}
