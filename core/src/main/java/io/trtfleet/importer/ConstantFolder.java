package io.trtfleet.importer;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.Signature;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.graph.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDefLibrary;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.RewriterConfig;
import org.tensorflow.proto.TensorProto;

/**
 * Grappler's constant folding, before segmentation: TensorRT gets weights, not subgraphs that compute
 * them (Conv1D's {@code ExpandDims} of its kernel, Keras' unfused batch norm {@code gamma * rsqrt(var)}),
 * and shape arithmetic becomes constants wherever the static shapes decide it.
 *
 * <ul>
 *   <li>A deterministic node whose inputs are all constant is computed by TensorFlow itself and becomes a
 *       Const (outputs up to {@value #MAX_BYTES} bytes, as Grappler).
 *   <li>Shape arithmetic: {@code Shape} of a tensor whose static shape is partly known is evaluated twice,
 *       its unknown dimensions set to 1 and then each to a distinct large number; a small integer result
 *       that comes out the same both times does not depend on them (a Keras {@code Resizing}'s slice of the
 *       known height and width) and becomes a Const.
 *   <li>{@code Reshape} to a computed shape reshapes to a constant one when the static result has at most
 *       one unknown dimension, or when the computed shape is constant but for the reshaped tensor's own
 *       first dimension passed through (Keras {@code Flatten}: {@code [shape(x)[0], -1]} becomes
 *       {@code [-1, 12]}).
 * </ul>
 */
final class ConstantFolder {

  private static final Logger LOG = LoggerFactory.getLogger(ConstantFolder.class);

  /** Grappler's kMaxConstantSize. */
  static final long MAX_BYTES = 10L << 20;
  /** Shape arithmetic results larger than this are no shapes: they are never evaluated with a sentinel. */
  private static final int MAX_SHAPE_VALUES = 64;
  private static final Set<String> NEVER = Set.of("Placeholder", "PlaceholderWithDefault", "Const", "NoOp",
      "Identity", "Snapshot", "StopGradient");

  private final List<Node> nodes;
  private final Map<String, Node> byName = new HashMap<>();
  private final Map<String, List<String>> consumers = new HashMap<>();
  private final Set<String> pinned = new HashSet<>();
  private Set<String> frames = Set.of();
  /** Nodes whose value is known (Const or computable from constants and static shapes). */
  private final Set<String> foldable = new HashSet<>();
  /** Foldable nodes whose value depends on an unknown dimension (through a Shape). */
  private final Set<String> shapeDependent = new HashSet<>();
  private final ShapeSentinels sentinels;
  /** The two evaluations of every shape-dependent node (small int vectors). */
  private final Map<String, long[][]> shapeValues = new HashMap<>();

  private ConstantFolder(List<Node> nodes, Signature signature) {
    this.nodes = nodes;
    for (Node n : nodes) {
      byName.put(n.name(), n);
      n.dataInputs().forEach(r -> consumers.computeIfAbsent(r.node(), k -> new ArrayList<>()).add(n.name()));
    }
    signature.outputs().forEach(a -> pinned.add(a.ref().node()));
    sentinels = new ShapeSentinels(ref -> byName.get(ref.node()).output(ref.index()));
  }

  /** The nodes with constant subgraphs folded; unchanged when nothing folds. */
  static List<NodeDef> fold(List<Node> nodes, Signature signature, FunctionDefLibrary library,
      org.tensorflow.proto.VersionDef versions) {
    return new ConstantFolder(nodes, signature).run(library, versions);
  }

  private List<NodeDef> run(FunctionDefLibrary library, org.tensorflow.proto.VersionDef versions) {
    frames = io.trtfleet.graph.Tf1ControlFlow.frameNodes(nodes.stream().map(Node::def).toList());
    Set<String> functions = new HashSet<>();
    library.getFunctionList().forEach(f -> functions.add(f.getSignature().getName()));
    for (Node n : nodes) {
      classify(n, functions);
    }
    List<String> fetch = nodes.stream()
        .filter(n -> foldable.contains(n.name()) && !n.op().equals("Const") && n.outputs().size() == 1
            && bytes(n.output(0)) <= MAX_BYTES)
        .map(Node::name).toList();
    Map<String, TensorProto> values = fetch.isEmpty() ? Map.of() : evaluate(fetch, versions, library);
    Set<String> stable = new HashSet<>(values.keySet());
    foldable.stream().filter(n -> !shapeDependent.contains(n) && !fetch.contains(n)).forEach(stable::add);
    Map<String, NodeDef> replaced = new HashMap<>();
    values.forEach((name, value) -> {
      boolean frontier = pinned.contains(name)
          || consumers.getOrDefault(name, List.of()).stream().anyMatch(c -> !stable.contains(c));
      if (frontier) {
        replaced.put(name, GraphFreezer.constant(name, value));
      }
    });
    for (Node n : nodes) {
      if (n.op().equals("Reshape") && !replaced.containsKey(n.name())) {
        materializeReshape(n, replaced);
      }
    }
    if (replaced.isEmpty()) {
      return nodes.stream().map(Node::def).toList();
    }
    LOG.info("folded {} constant subgraph(s) into Consts", replaced.size());
    return prune(replaced);
  }

  private void classify(Node n, Set<String> functions) {
    if (frames.contains(n.name())) {
      return; // runs in its TF1 frame, by its control edges
    }
    if (n.op().equals("Const")) {
      foldable.add(n.name());
      return;
    }
    if (NEVER.contains(n.op()) || functions.contains(n.op()) || !OpRegistry.get().isRunnable(n.op())
        || !deterministic(n)
        || n.outputs().stream().anyMatch(o -> !numeric(o.dtype()))) {
      return;
    }
    if (isShapeOf(n)) {
      TensorSpec x = byName.get(n.dataInputs().get(0).node()).output(n.dataInputs().get(0).index());
      if (x.hasRank()) {
        foldable.add(n.name());
        if (!x.isFullyDefined()) {
          shapeDependent.add(n.name());
        }
      }
      return;
    }
    if (n.dataInputs().isEmpty() || n.inputs().stream().anyMatch(TensorRef::control)) {
      return;
    }
    boolean dependent = false;
    for (TensorRef r : n.dataInputs()) {
      if (!foldable.contains(r.node())) {
        return;
      }
      dependent |= shapeDependent.contains(r.node());
    }
    if (dependent && !smallInts(n)) {
      return;
    }
    foldable.add(n.name());
    if (dependent) {
      shapeDependent.add(n.name());
    }
  }

  private static boolean isShapeOf(Node n) {
    return n.op().equals("Shape") && n.dataInputs().size() == 1;
  }

  /** Single-output int32/int64 with a static shape of at most {@value #MAX_SHAPE_VALUES} values. */
  private static boolean smallInts(Node n) {
    if (n.outputs().size() != 1) {
      return false;
    }
    TensorSpec o = n.output(0);
    return (o.dtype() == DataType.DT_INT32 || o.dtype() == DataType.DT_INT64) && o.isFullyDefined()
        && Arrays.stream(o.shape()).reduce(1, (a, b) -> a * b) <= MAX_SHAPE_VALUES;
  }

  private static boolean deterministic(Node n) {
    return OpRegistry.get().op(n.op()).map(OpDef::getIsStateful).map(stateful -> !stateful).orElse(false)
        && !n.op().contains("Random");
  }

  private static boolean numeric(DataType t) {
    return t != DataType.DT_STRING && t != DataType.DT_RESOURCE && t != DataType.DT_VARIANT;
  }

  /** Bytes of a tensor of this static shape; 0 when the shape is not fully known (computed, then checked). */
  private static long bytes(TensorSpec t) {
    if (!t.isFullyDefined()) {
      return 0;
    }
    return Arrays.stream(t.shape()).reduce(1, (a, b) -> a * b) * 8;
  }

  /**
   * Values of the fetched nodes that do not depend on unknown dimensions, computed by TensorFlow on the
   * foldable subgraph (Shape nodes of partly known shapes replaced by each sentinel in turn).
   */
  private Map<String, TensorProto> evaluate(List<String> fetch, org.tensorflow.proto.VersionDef versions,
      FunctionDefLibrary library) {
    List<Map<String, TensorProto>> runs = new ArrayList<>();
    for (boolean large : shapeDependent.isEmpty() ? new boolean[] {false} : new boolean[] {false, true}) {
      GraphDef.Builder def = GraphDef.newBuilder().setVersions(versions).setLibrary(library);
      for (Node n : nodes) {
        if (foldable.contains(n.name())) {
          def.addNode(isShapeOf(n) ? sentinels.shapeConstant(n, large) : n.def().toBuilder().clearDevice().build());
        }
      }
      try {
        runs.add(run(def.build(), fetch));
      } catch (RuntimeException e) {
        // An op TensorFlow cannot run here (no CPU kernel) leaves the graph as it is: folding is an optimization.
        LOG.warn("constant folding skipped: {}", io.trtfleet.Messages.oneLine(e.getMessage()));
        return Map.of();
      }
    }
    Map<String, TensorProto> out = new LinkedHashMap<>();
    for (String name : fetch) {
      TensorProto first = runs.get(0).get(name);
      boolean stable = runs.stream().allMatch(r -> r.get(name).equals(first));
      if (stable && first.getSerializedSize() <= MAX_BYTES) {
        out.put(name, first);
      } else if (!stable) {
        shapeValues.put(name, new long[][] {ints(first), ints(runs.get(1).get(name))});
      }
    }
    return out;
  }

  private static long[] ints(TensorProto t) {
    java.nio.ByteBuffer b = t.getTensorContent().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
    boolean wide = t.getDtype() == DataType.DT_INT64;
    long[] v = new long[b.remaining() / (wide ? 8 : 4)];
    for (int i = 0; i < v.length; i++) {
      v[i] = wide ? b.getLong() : b.getInt();
    }
    return v;
  }

  private static Map<String, TensorProto> run(GraphDef def, List<String> fetch) {
    // Grappler off: it would fold these nodes itself and hand back the same values more slowly.
    ConfigProto config = ConfigProto.newBuilder().setGraphOptions(GraphOptions.newBuilder()
        .setRewriteOptions(RewriterConfig.newBuilder().setDisableMetaOptimizer(true))).build();
    Map<String, TensorProto> out = new LinkedHashMap<>();
    try (Graph g = new Graph()) {
      g.importGraphDef(def);
      try (Session s = new Session(g, config)) {
        Session.Runner r = s.runner();
        fetch.forEach(f -> r.fetch(f, 0));
        try (Result result = r.run()) {
          for (int i = 0; i < fetch.size(); i++) {
            out.put(fetch.get(i), StateReader.toProto(result.get(i), "folded node '" + fetch.get(i) + "'"));
          }
        }
      }
    }
    return out;
  }

  /** Reshape to a computed shape: to a Const when the static result or the evaluated shape decides it. */
  private void materializeReshape(Node reshape, Map<String, NodeDef> replaced) {
    TensorRef shapeIn = reshape.dataInputs().get(1);
    Node producer = byName.get(shapeIn.node());
    if (producer.op().equals("Const") || replaced.containsKey(producer.name())) {
      return;
    }
    long[] target = ReshapeTarget.fromStaticShape(reshape.output(0).shape());
    if (target == null && shapeIn.index() == 0 && shapeValues.containsKey(producer.name())) {
      TensorRef x = reshape.dataInputs().get(0);
      target = ReshapeTarget.batchPassThrough(byName.get(x.node()).output(x.index()).shape(),
          sentinels.batchSentinel(x), shapeValues.get(producer.name()));
    }
    if (target == null) {
      return;
    }
    DataType type = reshape.typeAttr("Tshape").orElse(DataType.DT_INT32);
    TensorProto.Builder t = TensorProto.newBuilder().setDtype(type)
        .setTensorShape(TensorSpec.toProto(new long[] {target.length}));
    for (long d : target) {
      if (type == DataType.DT_INT64) {
        t.addInt64Val(d);
      } else {
        t.addIntVal((int) d);
      }
    }
    String name = reshape.name() + "/trtfleet_shape";
    replaced.put(name, GraphFreezer.constant(name, t.build()));
    NodeDef.Builder b = reshape.def().toBuilder().clearInput();
    List<String> inputs = reshape.def().getInputList();
    b.addInput(inputs.get(0)).addInput(name);
    inputs.subList(2, inputs.size()).forEach(b::addInput);
    replaced.put(reshape.name(), b.build());
  }

  /**
   * The graph with replaced nodes, new Consts just before their first reader, and the nodes nothing needs
   * any more dropped (what the signature and the table initializers reach is kept).
   */
  private List<NodeDef> prune(Map<String, NodeDef> replaced) {
    Map<String, NodeDef> defs = new LinkedHashMap<>();
    for (Node n : nodes) {
      NodeDef def = replaced.getOrDefault(n.name(), n.def());
      for (String in : def.getInputList()) {
        String p = TensorRef.parse(in).node();
        if (!byName.containsKey(p) && replaced.containsKey(p)) {
          defs.putIfAbsent(p, replaced.get(p));
        }
      }
      defs.put(n.name(), def);
    }
    Set<String> keep = new HashSet<>();
    java.util.Deque<String> work = new java.util.ArrayDeque<>();
    for (Node n : nodes) {
      boolean root = pinned.contains(n.name()) || n.op().startsWith("Placeholder")
          || n.name().equals(io.trtfleet.graph.FrozenGraph.INIT_OP);
      if (root) {
        work.add(n.name());
      }
    }
    while (!work.isEmpty()) {
      String name = work.pop();
      if (keep.add(name)) {
        defs.get(name).getInputList().forEach(in -> work.add(TensorRef.parse(in).node()));
      }
    }
    List<NodeDef> out = new ArrayList<>();
    defs.values().stream().filter(d -> keep.contains(d.getName())).forEach(out::add);
    return out;
  }
}
