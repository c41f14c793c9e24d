package io.trtfleet.segment;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.Signature;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.importer.OpRegistry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TF-TRT's segmenter on the frozen graph IR: finds the TensorRT-compatible subgraphs that will become
 * TRTEngineOps.
 *
 * <ol>
 *   <li>Candidates: every node except the signature's inputs and outputs, denylisted ops, TRTEngineOps
 *       converted before, and nodes {@link OpSupport} rejects (the reason is kept for the report).
 *   <li>Clustering: in reverse topological order each candidate absorbs its candidate consumers, an
 *       edge at a time, unless another path links the two (contracting would create a cycle in the
 *       graph that remains); {@link GraphCycles} keeps the check bounded.
 *   <li>Trimming: a segment may not output a Const (the Const stays in TensorFlow and is copied into
 *       the engine instead) and, with static shapes, may not take an input without a non-batch dimension.
 *   <li>Selection: segments with fewer than {@code minimum_segment_size} nodes (Identity, Snapshot and
 *       StopGradient not counted) or without inputs are dropped; the {@code maximum_engines} largest are
 *       kept and named {@code TRTEngineOp_<seq>_<idx>} in the order of their first node ({@code seq} is
 *       000 unless the graph already holds engines of that sequence).
 * </ol>
 *
 * The result depends only on the graph and the options: the same model always gives the same segments.
 */
public final class Segmenter {

  private static final Logger LOG = LoggerFactory.getLogger(Segmenter.class);

  /**
   * TF-TRT numbers engines per converted graph; trtfleet converts one signature, so the sequence is 0
   * unless the graph already holds engines of that sequence (a model converted before): then the first
   * free one, so names never clash.
   */
  static int graphSequence(FrozenGraph graph) {
    Set<String> taken = new HashSet<>();
    for (Node node : graph.nodes()) {
      String base = node.name().substring(node.name().lastIndexOf('/') + 1);
      if (base.startsWith("TRTEngineOp_") && base.length() >= 16) {
        taken.add(base.substring(12, 15));
      }
    }
    int seq = 0;
    while (taken.contains(String.format(java.util.Locale.ROOT, "%03d", seq))) {
      seq++;
    }
    return seq;
  }

  private final SegmenterOptions options;

  public Segmenter(SegmenterOptions options) {
    this.options = options;
  }

  public SegmentedGraph segment(FrozenGraph graph) {
    long start = System.nanoTime();
    SegmentedGraph result = new Run(graph).run();
    LOG.info("segmented signature '{}' ({} nodes) into {} TensorRT engine(s) in {} ms", graph.signature().key(),
        graph.nodes().size(), result.segments().size(), (System.nanoTime() - start) / 1_000_000);
    return result;
  }

  /** Engine name for sequence {@code seq} and index {@code idx}: {@code TRTEngineOp_000_001}. */
  public static String engineName(int seq, int idx) {
    return String.format(java.util.Locale.ROOT, "TRTEngineOp_%03d_%03d", seq, idx);
  }

  /** The state of one segmentation; nodes are numbered by their topological position. */
  private final class Run {
    private final FrozenGraph graph;
    private final List<Node> nodes;
    private final int n;
    private final Map<String, Integer> index = new HashMap<>();
    private final int[][] producers;
    private final String[] reason;
    private final boolean[] candidate;
    private final boolean[] copyableConst;
    private final int[] cluster;

    Run(FrozenGraph graph) {
      this.graph = graph;
      this.nodes = graph.nodes();
      this.n = nodes.size();
      for (int i = 0; i < n; i++) {
        index.put(nodes.get(i).name(), i);
      }
      producers = new int[n][];
      for (int i = 0; i < n; i++) {
        producers[i] = nodes.get(i).dataInputs().stream().mapToInt(r -> indexOf(r.node())).distinct().toArray();
        for (int p : producers[i]) {
          if (p >= i) {
            throw new IllegalArgumentException("frozen graph is not in topological order: '"
                + nodes.get(i).name() + "' reads '" + nodes.get(p).name() + "', which comes later");
          }
        }
      }
      reason = new String[n];
      candidate = new boolean[n];
      copyableConst = new boolean[n];
      cluster = new int[n];
    }

    private int indexOf(String name) {
      Integer i = index.get(name);
      if (i == null) {
        throw new IllegalArgumentException("frozen graph references missing node '" + name + "'");
      }
      return i;
    }

    SegmentedGraph run() {
      selectCandidates();
      cluster();
      Map<Integer, List<Integer>> clusters = clusters();
      clusters.values().forEach(this::trim);
      List<List<Integer>> kept = select(clusters());
      return build(kept);
    }

    private void selectCandidates() {
      Set<String> inputs = new HashSet<>();
      Set<String> outputs = new HashSet<>();
      Signature sig = graph.signature();
      sig.inputs().forEach(a -> inputs.add(a.ref().node()));
      sig.outputs().forEach(a -> outputs.add(a.ref().node()));
      ValidationContext ctx = new ValidationContext(graph, options.precision(), options.dynamicShapes());
      for (int i = 0; i < n; i++) {
        Node node = nodes.get(i);
        if (inputs.contains(node.name())) {
          reason[i] = "signature input (stays in TensorFlow, feeds the engines)";
        } else if (outputs.contains(node.name())) {
          reason[i] = "signature output (never part of a segment)";
        } else if (node.op().equals(OpRegistry.TRT_ENGINE_OP)) {
          reason[i] = "already converted (a TF-TRT engine, kept as is)";
        } else if (options.conversionDisabled()) {
          reason[i] = "conversion disabled (minimum_segment_size -1)";
        } else if (options.denylist().contains(node.op())) {
          reason[i] = node.op() + ": in the op denylist";
        } else {
          reason[i] = OpSupport.get().check(node, ctx).orElse(null);
        }
        candidate[i] = reason[i] == null;
        copyableConst[i] = node.op().equals("Const") && !options.denylist().contains("Const")
            && OpSupport.get().check(node, ctx).isEmpty();
      }
    }

    /** Union-find clustering over edge contractions that never close a cycle. */
    private void cluster() {
      GraphCycles cycles = new GraphCycles(n);
      for (int i = 0; i < n; i++) {
        for (int p : producers[i]) {
          cycles.insertEdge(p, i);
        }
      }
      UnionFind sets = new UnionFind(n);
      for (int src = n - 1; src >= 0; src--) {
        if (!candidate[src]) {
          continue;
        }
        boolean merged = true;
        while (merged) {
          merged = false;
          int[] consumers = cycles.successors(src).stream().mapToInt(Integer::intValue).sorted().toArray();
          for (int dst : consumers) {
            if (candidate[dst] && cycles.contractEdge(src, dst)) {
              sets.mergeInto(src, dst);
              merged = true;
            }
          }
        }
      }
      for (int i = 0; i < n; i++) {
        cluster[i] = candidate[i] ? sets.find(i) : -1;
      }
    }

    /** Cluster id to its members in topological order, clusters ordered by their first member. */
    private Map<Integer, List<Integer>> clusters() {
      Map<Integer, List<Integer>> byId = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        if (cluster[i] >= 0) {
          byId.computeIfAbsent(cluster[i], k -> new ArrayList<>()).add(i);
        }
      }
      return byId;
    }

    /**
     * TF-TRT's boundary trimming: a node whose input may not cross into the segment leaves it with all
     * its producers in the segment; a Const read outside the segment leaves it alone.
     */
    private void trim(List<Integer> members) {
      int id = cluster[members.get(0)];
      while (true) {
        Deque<Integer> inputNodes = new ArrayDeque<>();
        Deque<Integer> constOutputs = new ArrayDeque<>();
        for (int m : members) {
          if (cluster[m] != id) {
            continue;
          }
          String badInput = badInput(m, id);
          if (badInput != null) {
            inputNodes.add(m);
            reason[m] = nodes.get(m).op() + ": segment input " + badInput + " has no non-batch dimension"
                + " (static shapes)";
          } else if (nodes.get(m).op().equals("Const") && readOutside(m, id)) {
            constOutputs.add(m);
            reason[m] = "Const: also read outside the segment, so it stays in TensorFlow (segments may not"
                + " output constants; engines get a copy)";
          }
        }
        if (inputNodes.isEmpty() && constOutputs.isEmpty()) {
          return;
        }
        for (int c : constOutputs) {
          cluster[c] = -1;
        }
        while (!inputNodes.isEmpty()) {
          int m = inputNodes.pop();
          if (cluster[m] != id) {
            continue;
          }
          cluster[m] = -1;
          for (int p : producers[m]) {
            if (cluster[p] == id) {
              reason[p] = nodes.get(p).op() + ": removed from the segment with its consumer '"
                  + nodes.get(m).name() + "'";
              inputNodes.add(p);
            }
          }
        }
      }
    }

    private String badInput(int m, int id) {
      if (!options.dynamicShapes()) {
        for (TensorRef ref : nodes.get(m).dataInputs()) {
          int p = index.get(ref.node());
          if (cluster[p] != id && !nodes.get(p).op().equals("Const") && graph.tensor(ref).rank() < 2) {
            return ref.tensorName();
          }
        }
      }
      return null;
    }

    private boolean readOutside(int m, int id) {
      for (String consumer : graph.consumers(nodes.get(m).name())) {
        if (cluster[index.get(consumer)] != id) {
          return true;
        }
      }
      return false;
    }

    /** Drops small and input-less segments, then keeps the largest {@code maximum_engines}. */
    private List<List<Integer>> select(Map<Integer, List<Integer>> clusters) {
      List<List<Integer>> valid = new ArrayList<>();
      for (List<Integer> members : clusters.values()) {
        long effective = members.stream().filter(m -> !OpSupport.IDENTITY_OPS.contains(nodes.get(m).op())).count();
        if (effective < options.minimumSegmentSize()) {
          drop(members, String.format("in a segment of %d effective node(s), fewer than minimum_segment_size %d",
              effective, options.minimumSegmentSize()));
        } else if (!hasInput(members)) {
          drop(members, "in a segment without inputs (constant-foldable, left to TensorFlow)");
        } else {
          valid.add(members);
        }
      }
      List<List<Integer>> bySize = new ArrayList<>(valid);
      bySize.sort(Comparator.<List<Integer>>comparingInt(List::size).reversed()
          .thenComparingInt(m -> m.get(0)));
      for (int i = options.maximumEngines(); i < bySize.size(); i++) {
        List<Integer> members = bySize.get(i);
        drop(members, String.format("in a segment of %d nodes beyond maximum_engines %d (the largest are kept)",
            members.size(), options.maximumEngines()));
      }
      List<List<Integer>> kept = new ArrayList<>(bySize.subList(0, Math.min(bySize.size(), options.maximumEngines())));
      kept.sort(Comparator.comparingInt(m -> m.get(0)));
      return kept;
    }

    private void drop(List<Integer> members, String why) {
      for (int m : members) {
        cluster[m] = -1;
        reason[m] = nodes.get(m).op() + ": " + why;
      }
    }

    private boolean hasInput(List<Integer> members) {
      int id = cluster[members.get(0)];
      for (int m : members) {
        for (int p : producers[m]) {
          if (cluster[p] != id && !isCopiedConst(p)) {
            return true;
          }
        }
      }
      return false;
    }

    /** A Const outside a segment that TensorRT accepts is copied into the engines that read it. */
    private boolean isCopiedConst(int p) {
      return copyableConst[p] && cluster[p] < 0;
    }

    private SegmentedGraph build(List<List<Integer>> kept) {
      int sequence = graphSequence(graph);
      List<Segment> segments = new ArrayList<>();
      Map<String, String> owner = new HashMap<>();
      Map<String, List<String>> copies = new LinkedHashMap<>();
      for (int s = 0; s < kept.size(); s++) {
        List<Integer> members = kept.get(s);
        String name = engineName(sequence, s);
        int id = cluster[members.get(0)];
        TreeSet<Integer> all = new TreeSet<>(members);
        Map<String, TensorSpec> inputs = new LinkedHashMap<>();
        List<String> copied = new ArrayList<>();
        for (int m : members) {
          owner.put(nodes.get(m).name(), name);
          for (TensorRef ref : nodes.get(m).dataInputs()) {
            int p = index.get(ref.node());
            if (cluster[p] == id) {
              continue;
            }
            if (isCopiedConst(p)) {
              if (all.add(p)) {
                copied.add(nodes.get(p).name());
              }
            } else {
              inputs.putIfAbsent(ref.tensorName(), graph.tensor(ref));
            }
          }
        }
        List<String> names = all.stream().map(i -> nodes.get(i).name()).toList();
        segments.add(new Segment(name, names, List.copyOf(inputs.values()), outputs(members, id)));
        copies.put(name, List.copyOf(copied));
      }
      List<Rejection> rejections = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (!owner.containsKey(nodes.get(i).name())) {
          rejections.add(new Rejection(nodes.get(i).name(), nodes.get(i).op(), reason[i]));
        }
      }
      return new SegmentedGraph(graph, options, segments, owner, copies, rejections);
    }

    /** Tensors of the segment read outside it or named by the signature, by node order then index. */
    private List<TensorSpec> outputs(List<Integer> members, int id) {
      TreeMap<Integer, TreeSet<Integer>> used = new TreeMap<>();
      Set<Integer> memberSet = new HashSet<>(members);
      for (int m : members) {
        for (String consumer : graph.consumers(nodes.get(m).name())) {
          int c = index.get(consumer);
          if (cluster[c] == id) {
            continue;
          }
          for (TensorRef ref : nodes.get(c).dataInputs()) {
            if (ref.node().equals(nodes.get(m).name())) {
              used.computeIfAbsent(m, k -> new TreeSet<>()).add(ref.index());
            }
          }
        }
      }
      for (Signature.Argument a : graph.signature().outputs()) {
        Integer m = index.get(a.ref().node());
        if (m != null && memberSet.contains(m)) {
          used.computeIfAbsent(m, k -> new TreeSet<>()).add(a.ref().index());
        }
      }
      List<TensorSpec> out = new ArrayList<>();
      used.forEach((m, outs) -> outs.forEach(k -> out.add(nodes.get(m).output(k))));
      return out;
    }
  }
}
