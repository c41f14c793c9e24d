package io.trtfleet.segment;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
    return String.format(Locale.ROOT, "TRTEngineOp_%03d_%03d", seq, idx);
  }

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
    while (taken.contains(String.format(Locale.ROOT, "%03d", seq))) {
      seq++;
    }
    return seq;
  }

  /** The state of one segmentation; nodes are numbered by their topological position. */
  private final class Run {
    private final IndexedGraph g;
    private final CandidateSelector.Result candidates;
    private final Partition partition;
    private final SegmentAssembler assembler;

    Run(FrozenGraph graph) {
      this.g = new IndexedGraph(graph);
      this.candidates = CandidateSelector.select(g, options);
      this.partition = new Partition(g, candidates.reason());
      this.assembler = new SegmentAssembler(partition, candidates.copyableConst());
    }

    SegmentedGraph run() {
      Clusterer.cluster(g, candidates, partition);
      BoundaryTrimmer trimmer = new BoundaryTrimmer(partition, options.shapes());
      partition.clusters().values().forEach(trimmer::trim);
      return build(select(partition.clusters()));
    }

    /** Step 4: drops small and input-less segments, then keeps the largest {@code maximum_engines}. */
    private List<List<Integer>> select(Map<Integer, List<Integer>> clusters) {
      List<List<Integer>> valid = new ArrayList<>();
      for (List<Integer> members : clusters.values()) {
        long effective = members.stream().filter(m -> !OpSupport.IDENTITY_OPS.contains(g.op(m))).count();
        if (effective < options.minimumSegmentSize()) {
          partition.drop(members, String.format(Locale.ROOT,
              "in a segment of %d effective node(s), fewer than minimum_segment_size %d", effective,
              options.minimumSegmentSize()));
        } else if (!assembler.hasInput(members)) {
          partition.drop(members, "in a segment without inputs (constant-foldable, left to TensorFlow)");
        } else {
          valid.add(members);
        }
      }
      List<List<Integer>> bySize = new ArrayList<>(valid);
      bySize.sort(Comparator.<List<Integer>>comparingInt(List::size).reversed().thenComparingInt(m -> m.get(0)));
      for (List<Integer> members : bySize.subList(Math.min(bySize.size(), options.maximumEngines()), bySize.size())) {
        partition.drop(members, String.format(Locale.ROOT,
            "in a segment of %d nodes beyond maximum_engines %d (the largest are kept)", members.size(),
            options.maximumEngines()));
      }
      List<List<Integer>> kept = new ArrayList<>(bySize.subList(0, Math.min(bySize.size(), options.maximumEngines())));
      kept.sort(Comparator.comparingInt(m -> m.get(0)));
      return kept;
    }

    /** Step 5: names the kept segments in the order of their first node and assembles them. */
    private SegmentedGraph build(List<List<Integer>> kept) {
      int sequence = graphSequence(g.graph());
      List<Segment> segments = new ArrayList<>();
      Map<String, String> owner = new HashMap<>();
      Map<String, List<String>> copies = new LinkedHashMap<>();
      for (int s = 0; s < kept.size(); s++) {
        String name = engineName(sequence, s);
        List<String> copied = new ArrayList<>();
        segments.add(assembler.assemble(name, kept.get(s), copied));
        copies.put(name, List.copyOf(copied));
        kept.get(s).forEach(m -> owner.put(g.node(m).name(), name));
      }
      List<Rejection> rejections = new ArrayList<>();
      for (int i = 0; i < g.size(); i++) {
        if (!owner.containsKey(g.node(i).name())) {
          rejections.add(new Rejection(g.node(i).name(), g.op(i), partition.reason[i]));
        }
      }
      return new SegmentedGraph(g.graph(), options, segments, owner, copies, rejections);
    }
  }
}
