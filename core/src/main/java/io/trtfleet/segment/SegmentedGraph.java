package io.trtfleet.segment;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.Signature;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.proto.FunctionDef;

/**
 * What segmentation produced: the TensorRT segments of a frozen graph, which node each segment owns,
 * the Consts each segment copies in, and every node left to TensorFlow with the reason.
 *
 * <p>A segment's {@link Segment#nodes()} are the nodes it owns (removed from the TensorFlow graph when
 * the segment becomes a TRTEngineOp) plus copies of the Consts outside it that it reads; those Consts
 * stay in TensorFlow too. Counts of converted ops count owned nodes only.
 */
public final class SegmentedGraph {

  private final FrozenGraph graph;
  private final SegmenterOptions options;
  private final List<Segment> segments;
  private final Map<String, String> owner;
  private final Map<String, List<String>> copiedConstants;
  private final List<Rejection> notConverted;
  private Map<String, FunctionDef> nativeSegments;

  SegmentedGraph(FrozenGraph graph, SegmenterOptions options, List<Segment> segments, Map<String, String> owner,
      Map<String, List<String>> copiedConstants, List<Rejection> notConverted) {
    this.graph = graph;
    this.options = options;
    this.segments = List.copyOf(segments);
    this.owner = Map.copyOf(owner);
    this.copiedConstants = Map.copyOf(copiedConstants);
    this.notConverted = List.copyOf(notConverted);
  }

  public FrozenGraph graph() {
    return graph;
  }

  public SegmenterOptions options() {
    return options;
  }

  /** The segments in the order of their first node, named {@code TRTEngineOp_000_000}, ... */
  public List<Segment> segments() {
    return segments;
  }

  public Segment segment(String name) {
    return segments.stream().filter(s -> s.name().equals(name)).findFirst()
        .orElseThrow(() -> new NoSuchElementException("no segment named '" + name + "'"));
  }

  /** The segment that owns a node, if any (copied Consts are owned by none). */
  public Optional<String> ownerOf(String node) {
    return Optional.ofNullable(owner.get(node));
  }

  /** The Consts outside a segment that it copies in (also in {@link Segment#nodes()}). */
  public List<String> copiedConstants(String segment) {
    return copiedConstants.getOrDefault(segment, List.of());
  }

  /** The nodes a segment owns, in topological order. */
  public List<String> ownedNodes(Segment segment) {
    Set<String> copies = new HashSet<>(copiedConstants(segment.name()));
    return segment.nodes().stream().filter(n -> !copies.contains(n)).toList();
  }

  /** Every node no segment owns, in topological order, with the reason. */
  public List<Rejection> notConverted() {
    return notConverted;
  }

  /** Nodes of the graph: the denominator of "% of OPs converted", as in TF-TRT's summary. */
  public int totalNodes() {
    return graph.nodes().size();
  }

  /** Nodes owned by a segment. */
  public int convertedNodes() {
    return owner.size();
  }

  /** Nodes that could be converted at all: all but the signature's input and output nodes. */
  public int convertibleNodes() {
    Set<String> io = new HashSet<>();
    Signature sig = graph.signature();
    sig.inputs().forEach(a -> io.add(a.ref().node()));
    sig.outputs().forEach(a -> io.add(a.ref().node()));
    return (int) graph.nodes().stream().map(Node::name).filter(n -> !io.contains(n)).count();
  }

  /** Per op type, the count of nodes a segment owns, sorted by op type. */
  public Map<String, Integer> opCounts(Segment segment) {
    Map<String, Integer> counts = new java.util.TreeMap<>();
    ownedNodes(segment).forEach(n -> counts.merge(graph.node(n).op(), 1, Integer::sum));
    return counts;
  }

  /**
   * The native segment of each engine, {@code <engine>_native_segment}, for the converted SavedModel's
   * function library (TensorFlow falls back to it when the engine cannot run).
   */
  public synchronized Map<String, FunctionDef> nativeSegments() {
    if (nativeSegments == null) {
      Map<String, FunctionDef> m = new LinkedHashMap<>();
      for (Segment s : segments) {
        m.put(s.name(), NativeSegmentBuilder.functionDef(graph, s));
      }
      nativeSegments = java.util.Collections.unmodifiableMap(m);
    }
    return nativeSegments;
  }
}
