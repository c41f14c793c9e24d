package io.trtfleet.convert;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where a fusion may reach: the segment's nodes and outputs, which nodes another converter already
 * absorbed, and the spatial pads folded from a Pad into its reader.
 */
final class SegmentScope {

  private final FrozenGraph graph;
  private final Set<String> segmentNodes;
  private final Set<String> segmentOutputs;
  private final Set<String> absorbed = new HashSet<>();
  private final Map<String, long[]> foldedPads = new HashMap<>();

  SegmentScope(FrozenGraph graph, Set<String> segmentNodes, Set<String> segmentOutputs) {
    this.graph = graph;
    this.segmentNodes = segmentNodes;
    this.segmentOutputs = segmentOutputs;
  }

  /** True when the tensor must leave the segment (so its producer cannot be folded away). */
  boolean isSegmentOutput(String tfName) {
    return segmentOutputs.contains(tfName);
  }

  /**
   * The only reader of output 0 of {@code node}, when folding into it is safe: inside the segment,
   * reading nothing else of the node, and output 0 not needed outside.
   */
  Optional<Node> soleConsumer(Node node) {
    String out = TensorRef.of(node.name(), 0).tensorName();
    if (isSegmentOutput(out)) {
      return Optional.empty();
    }
    List<String> users = graph.consumers(node.name());
    if (users.size() != 1 || !segmentNodes.contains(users.get(0))) {
      return Optional.empty();
    }
    Node user = graph.node(users.get(0));
    long reads = user.dataInputs().stream().filter(r -> r.node().equals(node.name())).count();
    return reads == 1 ? Optional.of(user) : Optional.empty();
  }

  /** Marks a node as converted by another node's converter; its own converter is skipped. */
  void absorb(Node node) {
    absorbed.add(node.name());
  }

  boolean isAbsorbed(String node) {
    return absorbed.contains(node);
  }

  /**
   * Records that a zero Pad was folded into its only reader: {@code tfName} (the Pad's output) is held
   * unpadded and the reader adds {@code pads} ([h_begin, w_begin, h_end, w_end]) to its own.
   */
  void foldPads(String tfName, long[] pads) {
    foldedPads.put(tfName, pads.clone());
  }

  /** Spatial pads folded into the reader of {@code v} ([h_begin, w_begin, h_end, w_end], zeros if none). */
  long[] foldedPads(TensorValue v) {
    return foldedPads.getOrDefault(v.tfName, new long[4]).clone();
  }
}
