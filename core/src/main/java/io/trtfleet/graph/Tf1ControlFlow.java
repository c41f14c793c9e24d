package io.trtfleet.graph;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.NodeDef;

/**
 * TF1 (graph-mode) control flow: a {@code tf.while_loop} is a dataflow cycle of Enter, Merge, Switch,
 * NextIteration and Exit nodes, a {@code tf.cond} a Switch whose branches meet in a Merge. The nodes of
 * such a frame run a data-dependent number of times (or not at all): they stay in TensorFlow as they are,
 * control edges included, and the edge from NextIteration back to Merge is the one edge that does not go
 * forward in the graph's order.
 */
public final class Tf1ControlFlow {

  public static final Set<String> OPS = Set.of("Enter", "RefEnter", "Exit", "RefExit", "Merge", "RefMerge",
      "Switch", "RefSwitch", "NextIteration", "RefNextIteration", "LoopCond");
  private static final Set<String> EXITS = Set.of("Exit", "RefExit");
  private static final Set<String> MERGES = Set.of("Merge", "RefMerge");
  private static final Set<String> NEXT = Set.of("NextIteration", "RefNextIteration");

  private Tf1ControlFlow() {}

  /** The loop's back edge: a Merge reading a NextIteration (every other edge goes forward). */
  public static boolean isBackEdge(String producerOp, String consumerOp) {
    return NEXT.contains(producerOp) && MERGES.contains(consumerOp);
  }

  /**
   * The nodes inside TF1 frames: everything an Enter or a Switch reaches, through data and control edges,
   * up to and including the Exits of loops and the Merges that end conds.
   */
  public static Set<String> frameNodes(Collection<NodeDef> nodes) {
    Map<String, NodeDef> byName = new HashMap<>();
    Map<String, List<String>> consumers = new HashMap<>();
    for (NodeDef n : nodes) {
      byName.put(n.getName(), n);
      for (String in : n.getInputList()) {
        consumers.computeIfAbsent(TensorRef.parse(in).node(), k -> new ArrayList<>()).add(n.getName());
      }
    }
    Set<String> loopMerges = new HashSet<>();
    for (NodeDef n : nodes) {
      if (MERGES.contains(n.getOp()) && n.getInputList().stream()
          .map(in -> byName.get(TensorRef.parse(in).node())).anyMatch(p -> p != null && NEXT.contains(p.getOp()))) {
        loopMerges.add(n.getName());
      }
    }
    // Loops first (Enter to Exit, through every Merge), then conds outside them (Switch to its Merge).
    Set<String> frame = closure(nodes, byName, consumers, n -> n.getOp().endsWith("Enter"), n -> EXITS.contains(n.getOp()),
        Set.of());
    frame.addAll(closure(nodes, byName, consumers, n -> n.getOp().endsWith("Switch"),
        n -> EXITS.contains(n.getOp()) || MERGES.contains(n.getOp()) && !loopMerges.contains(n.getName()), frame));
    return frame;
  }

  private static Set<String> closure(Collection<NodeDef> nodes, Map<String, NodeDef> byName,
      Map<String, List<String>> consumers, java.util.function.Predicate<NodeDef> start,
      java.util.function.Predicate<NodeDef> end, Set<String> skip) {
    Set<String> frame = new HashSet<>();
    Deque<String> work = new ArrayDeque<>();
    nodes.stream().filter(start).map(NodeDef::getName).filter(n -> !skip.contains(n)).forEach(work::add);
    while (!work.isEmpty()) {
      String name = work.pop();
      NodeDef n = byName.get(name);
      if (n == null || !frame.add(name)) {
        continue;
      }
      if (!end.test(n)) {
        work.addAll(consumers.getOrDefault(name, List.of()));
      }
    }
    return frame;
  }
}
