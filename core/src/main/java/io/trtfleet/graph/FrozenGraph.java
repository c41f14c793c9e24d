package io.trtfleet.graph;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.TreeMap;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.TensorProto;

/**
 * The graph IR every later stage reads: one signature of a SavedModel with functions inlined,
 * variables turned into constants, everything the signature's outputs do not need pruned, and static
 * shapes inferred. {@link #graphDef()} is a plain GraphDef that TensorFlow can import and run; the
 * nodes are in topological order.
 */
public final class FrozenGraph {

  /**
   * The NoOp that initializes the graph's lookup tables from constants (frozen like variables): run it
   * once per session before any feed. Absent when the signature uses no table.
   */
  public static final String INIT_OP = "trtfleet/init_tables";

  private final GraphDef graphDef;
  private final Signature signature;
  private final List<Node> nodes;
  private final Map<String, Node> byName;
  private final Map<String, List<String>> consumers;
  private final int variablesFrozen;

  public FrozenGraph(GraphDef graphDef, Signature signature, List<Node> nodes, int variablesFrozen) {
    this.graphDef = graphDef;
    this.signature = signature;
    this.nodes = List.copyOf(nodes);
    this.variablesFrozen = variablesFrozen;
    Map<String, Node> index = new HashMap<>();
    Map<String, List<String>> users = new HashMap<>();
    for (Node n : this.nodes) {
      index.put(n.name(), n);
    }
    for (Node n : this.nodes) {
      for (TensorRef in : n.inputs()) {
        users.computeIfAbsent(in.node(), k -> new ArrayList<>()).add(n.name());
      }
    }
    this.byName = Collections.unmodifiableMap(index);
    users.replaceAll((k, v) -> List.copyOf(v));
    this.consumers = Collections.unmodifiableMap(users);
  }

  public GraphDef graphDef() {
    return graphDef;
  }

  public Signature signature() {
    return signature;
  }

  /** Nodes in topological order (every node after its inputs). */
  public List<Node> nodes() {
    return nodes;
  }

  /** The node to run once per session before the first batch ({@link #INIT_OP}), if the graph has one. */
  public Optional<String> initOp() {
    return contains(INIT_OP) ? Optional.of(INIT_OP) : Optional.empty();
  }

  public int variablesFrozen() {
    return variablesFrozen;
  }

  public boolean contains(String name) {
    return byName.containsKey(name);
  }

  public Node node(String name) {
    Node n = byName.get(name);
    if (n == null) {
      throw new NoSuchElementException("no node named '" + name + "' in the frozen graph");
    }
    return n;
  }

  /** Names of the nodes that read any output of {@code name} (data or control), in graph order. */
  public List<String> consumers(String name) {
    return consumers.getOrDefault(name, List.of());
  }

  public TensorSpec tensor(TensorRef ref) {
    return node(ref.node()).output(ref.index());
  }

  /**
   * Integer values (int32 or int64) of a tensor produced by a Const node, empty when it is computed at
   * run time, is not an integer or is implausibly large for an axis/shape operand.
   */
  public Optional<long[]> constInts(TensorRef ref) {
    Node producer = node(ref.node());
    if (!producer.op().equals("Const")) {
      return Optional.empty();
    }
    return producer.attr("value").map(AttrValue::getTensor).flatMap(FrozenGraph::ints);
  }

  private static Optional<long[]> ints(TensorProto t) {
    long count = 1;
    for (var d : t.getTensorShape().getDimList()) {
      count *= d.getSize();
    }
    if (count > 1_000_000) {
      return Optional.empty();
    }
    boolean int64 = t.getDtype() == DataType.DT_INT64;
    if (!int64 && t.getDtype() != DataType.DT_INT32) {
      return Optional.empty();
    }
    long[] values = new long[(int) count];
    if (!t.getTensorContent().isEmpty()) {
      ByteBuffer b = t.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < count; i++) {
        values[i] = int64 ? b.getLong() : b.getInt();
      }
      return Optional.of(values);
    }
    return int64 ? splat(values, t.getInt64ValCount(), t::getInt64Val) : splat(values, t.getIntValCount(), t::getIntVal);
  }

  /** TensorProto's repeated fields may hold fewer values than elements: the last one repeats. */
  private static Optional<long[]> splat(long[] values, int stored, java.util.function.IntToLongFunction get) {
    if (stored == 0 && values.length > 0) {
      return Optional.of(values);  // all zeros
    }
    for (int i = 0; i < values.length; i++) {
      values[i] = get.applyAsLong(Math.min(i, stored - 1));
    }
    return Optional.of(values);
  }

  /** Op type to count, sorted by op type. */
  public Map<String, Integer> opHistogram() {
    Map<String, Integer> counts = new TreeMap<>();
    for (Node n : nodes) {
      counts.merge(n.op(), 1, Integer::sum);
    }
    return counts;
  }

  /** The ops with a count, most frequent first (ties by name): what reports print. */
  public Map<String, Integer> opHistogramByCount() {
    Map<String, Integer> sorted = new LinkedHashMap<>();
    opHistogram().entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()
            .thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return sorted;
  }
}
