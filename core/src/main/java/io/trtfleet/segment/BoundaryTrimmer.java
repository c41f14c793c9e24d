package io.trtfleet.segment;

import io.trtfleet.graph.TensorRef;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Step 3 of segmentation, TF-TRT's boundary trimming. A Const read outside its segment leaves the segment
 * (segments may not output constants; engines get a copy instead). With static shapes, a node whose input
 * from outside has no non-batch dimension leaves with all its producers in the segment, which keeps the
 * segment free of paths that leave it and come back.
 */
final class BoundaryTrimmer {

  static final String CONST_OUTPUT = "Const: also read outside the segment, so it stays in TensorFlow"
      + " (segments may not output constants; engines get a copy)";

  private final IndexedGraph g;
  private final Partition partition;
  private final boolean dynamicShapes;

  BoundaryTrimmer(Partition partition, boolean dynamicShapes) {
    this.g = partition.graph;
    this.partition = partition;
    this.dynamicShapes = dynamicShapes;
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
          partition.reason[m] = g.op(m) + ": segment input " + badInput + " has no non-batch dimension"
              + " (static shapes)";
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

  /** With static shapes, an input from outside (not a Const) of rank < 2 cannot feed an engine. */
  private String badInput(int m, int id) {
    if (dynamicShapes) {
      return null;
    }
    for (TensorRef ref : g.node(m).dataInputs()) {
      int p = g.indexOf(ref);
      if (!partition.inCluster(p, id) && !g.op(p).equals("Const") && g.graph().tensor(ref).rank() < 2) {
        return ref.tensorName();
      }
    }
    return null;
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
