package io.trtfleet.segment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The segmenter's working state: the cluster of each node (-1: left to TensorFlow) and, for every node
 * that is not or no longer in a cluster, the reason.
 */
final class Partition {

  static final int NONE = -1;

  final IndexedGraph graph;
  final int[] cluster;
  final String[] reason;

  /** Every node outside any cluster, with {@code reasons} (copied) for the nodes that are not candidates. */
  Partition(IndexedGraph graph, String[] reasons) {
    this.graph = graph;
    this.reason = reasons.clone();
    this.cluster = new int[graph.size()];
    java.util.Arrays.fill(cluster, NONE);
  }

  boolean inCluster(int node, int id) {
    return cluster[node] == id;
  }

  /** Takes a node out of its cluster, with the reason. */
  void remove(int node, String why) {
    cluster[node] = NONE;
    reason[node] = why;
  }

  /** Takes every member out, each with "{@code <Op>: <why>}". */
  void drop(List<Integer> members, String why) {
    for (int m : members) {
      remove(m, graph.op(m) + ": " + why);
    }
  }

  /** Cluster id to its members in topological order, clusters ordered by their first member. */
  Map<Integer, List<Integer>> clusters() {
    Map<Integer, List<Integer>> byId = new LinkedHashMap<>();
    for (int i = 0; i < cluster.length; i++) {
      if (cluster[i] != NONE) {
        byId.computeIfAbsent(cluster[i], k -> new ArrayList<>()).add(i);
      }
    }
    return byId;
  }
}
