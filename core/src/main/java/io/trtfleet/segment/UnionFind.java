package io.trtfleet.segment;

/** Disjoint sets over 0..n-1 where the caller picks the surviving root of a union. */
final class UnionFind {

  private final int[] parent;

  UnionFind(int n) {
    parent = new int[n];
    for (int i = 0; i < n; i++) {
      parent[i] = i;
    }
  }

  int find(int x) {
    int root = x;
    while (parent[root] != root) {
      root = parent[root];
    }
    while (parent[x] != root) {
      int next = parent[x];
      parent[x] = root;
      x = next;
    }
    return root;
  }

  /** Merges the set of root {@code absorbed} into the set of root {@code survivor}. */
  void mergeInto(int survivor, int absorbed) {
    parent[find(absorbed)] = find(survivor);
  }
}
