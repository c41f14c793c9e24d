package io.trtfleet.segment;

/**
 * Step 2 of segmentation, TF-TRT's union-find clustering: candidates are visited in reverse topological
 * order and each absorbs its candidate consumers, one edge at a time, until nothing more merges. An edge
 * is contracted only when no other path links its ends ({@link GraphCycles#contractEdge}), so the graph
 * that remains once every cluster is one node has no cycle.
 */
final class Clusterer {

  private Clusterer() {}

  /** Writes each candidate's cluster id (the index of its cluster's first-visited node) into the partition. */
  static void cluster(IndexedGraph g, CandidateSelector.Result candidates, Partition partition) {
    int n = g.size();
    GraphCycles cycles = new GraphCycles(n);
    for (int i = 0; i < n; i++) {
      for (int p : g.producers(i)) {
        cycles.insertEdge(p, i);
      }
    }
    UnionFind sets = new UnionFind(n);
    for (int src = n - 1; src >= 0; src--) {
      if (!candidates.candidate(src)) {
        continue;
      }
      boolean merged = true;
      while (merged) {
        merged = false;
        int[] consumers = cycles.successors(src).stream().mapToInt(Integer::intValue).sorted().toArray();
        for (int dst : consumers) {
          if (candidates.candidate(dst) && cycles.contractEdge(src, dst)) {
            sets.mergeInto(src, dst);
            merged = true;
          }
        }
      }
    }
    for (int i = 0; i < n; i++) {
      partition.cluster[i] = candidates.candidate(i) ? sets.find(i) : Partition.NONE;
    }
  }
}
