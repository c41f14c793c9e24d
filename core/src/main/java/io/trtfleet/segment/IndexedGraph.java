package io.trtfleet.segment;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.graph.Tf1ControlFlow;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A frozen graph with its nodes numbered by topological position and its data edges as int arrays,
 * the form the segmenter's passes work on (TF1 loops' back edges left out: nothing segments inside a loop).
 */
final class IndexedGraph {

  private final FrozenGraph graph;
  private final List<Node> nodes;
  private final Map<String, Integer> index = new HashMap<>();
  private final int[][] producers;
  private final int[][] consumers;

  IndexedGraph(FrozenGraph graph) {
    this.graph = graph;
    this.nodes = graph.nodes();
    int n = nodes.size();
    for (int i = 0; i < n; i++) {
      index.put(nodes.get(i).name(), i);
    }
    producers = new int[n][];
    consumers = new int[n][];
    for (int i = 0; i < n; i++) {
      Node node = nodes.get(i);
      producers[i] = node.dataInputs().stream().filter(r -> !backEdge(r.node(), node))
          .mapToInt(r -> indexOf(r.node())).distinct().toArray();
      for (int p : producers[i]) {
        if (p >= i) {
          throw new IllegalArgumentException("frozen graph is not in topological order: '" + nodes.get(i).name()
              + "' reads '" + nodes.get(p).name() + "', which comes later");
        }
      }
      consumers[i] = graph.consumers(node.name()).stream().filter(c -> !backEdge(node.name(), graph.node(c)))
          .mapToInt(this::indexOf).distinct().toArray();
    }
  }

  /** TF1 loops' NextIteration to Merge edge, the one edge that goes back in the order. */
  private boolean backEdge(String producer, Node consumer) {
    return Tf1ControlFlow.isBackEdge(graph.node(producer).op(), consumer.op());
  }

  FrozenGraph graph() {
    return graph;
  }

  int size() {
    return nodes.size();
  }

  Node node(int i) {
    return nodes.get(i);
  }

  String op(int i) {
    return nodes.get(i).op();
  }

  int indexOf(String name) {
    Integer i = index.get(name);
    if (i == null) {
      throw new IllegalArgumentException("frozen graph references missing node '" + name + "'");
    }
    return i;
  }

  int indexOf(TensorRef ref) {
    return indexOf(ref.node());
  }

  /** Distinct producers of node {@code i}'s data inputs. */
  int[] producers(int i) {
    return producers[i];
  }

  /** Distinct nodes that read any output of node {@code i}. */
  int[] consumers(int i) {
    return consumers[i];
  }
}
