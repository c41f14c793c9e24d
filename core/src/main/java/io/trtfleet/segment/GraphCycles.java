package io.trtfleet.segment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A DAG whose edges can be contracted without ever creating a cycle, with a topological rank per node
 * kept up to date incrementally (Pearce and Kelly, "A dynamic topological sort algorithm for directed
 * acyclic graphs", 2006). The rank bounds every reachability search to the nodes between the two
 * endpoints, which keeps clustering of large graphs near linear.
 *
 * <p>{@link #contractEdge} is TF-TRT's CanContractEdge + ContractEdge: an edge {@code a -> b} may be
 * contracted only when no other path leads from {@code a} to {@code b}; then {@code b} is merged into
 * {@code a}.
 */
final class GraphCycles {

  private final int[] rank;
  private final List<Set<Integer>> in;
  private final List<Set<Integer>> out;
  private final boolean[] visited;
  private final int[] stack;
  private final List<Integer> deltaForward = new ArrayList<>();
  private final List<Integer> deltaBackward = new ArrayList<>();

  /** {@code n} nodes with ranks 0..n-1; the caller adds edges in a topological numbering. */
  GraphCycles(int n) {
    rank = new int[n];
    in = new ArrayList<>(n);
    out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      rank[i] = i;
      in.add(new LinkedHashSet<>(2));
      out.add(new LinkedHashSet<>(2));
    }
    visited = new boolean[n];
    stack = new int[n];
  }

  /** Successors of a node (merged nodes included), live view. */
  Set<Integer> successors(int node) {
    return out.get(node);
  }

  /** Adds {@code x -> y}; returns false (and adds nothing) when that would close a cycle. */
  boolean insertEdge(int x, int y) {
    if (x == y) {
      return false;
    }
    if (!out.get(x).add(y)) {
      return true;
    }
    in.get(y).add(x);
    if (rank[x] < rank[y]) {
      return true;
    }
    // Pearce-Kelly: reorder the affected region [rank y, rank x].
    deltaForward.clear();
    if (!forward(y, rank[x], deltaForward)) {
      out.get(x).remove(y);
      in.get(y).remove(x);
      clear(deltaForward);
      return false;
    }
    deltaBackward.clear();
    backward(x, rank[y], deltaBackward);
    reorder();
    return true;
  }

  /** True when a path leads from {@code x} to {@code y}. */
  boolean reachable(int x, int y) {
    if (x == y) {
      return true;
    }
    if (rank[x] >= rank[y]) {
      return false;  // every path goes up in rank
    }
    deltaForward.clear();
    boolean cycle = !forward(x, rank[y], deltaForward);
    clear(deltaForward);
    return cycle;
  }

  /**
   * Contracts the edge {@code a -> b} when no other path from {@code a} reaches {@code b}: {@code b}'s
   * edges move to {@code a} and {@code b} becomes isolated. Returns false when the contraction would
   * create a cycle (the graph is left as it was).
   */
  boolean contractEdge(int a, int b) {
    if (!out.get(a).contains(b)) {
      throw new IllegalArgumentException("no edge " + a + " -> " + b);
    }
    out.get(a).remove(b);
    in.get(b).remove(a);
    if (reachable(a, b)) {
      out.get(a).add(b);
      in.get(b).add(a);
      return false;
    }
    Integer[] successors = out.get(b).toArray(new Integer[0]);
    Integer[] predecessors = in.get(b).toArray(new Integer[0]);
    out.get(b).clear();
    in.get(b).clear();
    for (int y : successors) {
      in.get(y).remove(b);
    }
    for (int y : predecessors) {
      out.get(y).remove(b);
    }
    for (int y : successors) {
      insertEdge(a, y);
    }
    for (int y : predecessors) {
      insertEdge(y, a);
    }
    return true;
  }

  /**
   * Depth-first search forward from {@code start} over nodes ranked below {@code upperBound}, marking
   * them visited and collecting them; false when it meets the node ranked {@code upperBound}.
   */
  private boolean forward(int start, int upperBound, List<Integer> found) {
    int top = 0;
    stack[top++] = start;
    visited[start] = true;
    found.add(start);
    while (top > 0) {
      int n = stack[--top];
      for (int w : out.get(n)) {
        if (rank[w] == upperBound) {
          return false;
        }
        if (!visited[w] && rank[w] < upperBound) {
          visited[w] = true;
          found.add(w);
          stack[top++] = w;
        }
      }
    }
    return true;
  }

  private void backward(int start, int lowerBound, List<Integer> found) {
    int top = 0;
    stack[top++] = start;
    visited[start] = true;
    found.add(start);
    while (top > 0) {
      int n = stack[--top];
      for (int w : in.get(n)) {
        if (!visited[w] && rank[w] > lowerBound) {
          visited[w] = true;
          found.add(w);
          stack[top++] = w;
        }
      }
    }
  }

  /** Gives the backward set the lowest of the affected ranks, then the forward set, each in order. */
  private void reorder() {
    Integer[] b = deltaBackward.toArray(new Integer[0]);
    Integer[] f = deltaForward.toArray(new Integer[0]);
    Arrays.sort(b, (p, q) -> Integer.compare(rank[p], rank[q]));
    Arrays.sort(f, (p, q) -> Integer.compare(rank[p], rank[q]));
    int[] ranks = new int[b.length + f.length];
    int i = 0;
    for (int n : b) {
      visited[n] = false;
      ranks[i++] = rank[n];
    }
    for (int n : f) {
      visited[n] = false;
      ranks[i++] = rank[n];
    }
    Arrays.sort(ranks);
    i = 0;
    for (int n : b) {
      rank[n] = ranks[i++];
    }
    for (int n : f) {
      rank[n] = ranks[i++];
    }
  }

  private void clear(List<Integer> nodes) {
    for (int n : nodes) {
      visited[n] = false;
    }
  }

  int rank(int node) {
    return rank[node];
  }
}
