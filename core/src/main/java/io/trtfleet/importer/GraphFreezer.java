package io.trtfleet.importer;

import com.google.protobuf.ByteString;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Signature;
import io.trtfleet.graph.Tf1ControlFlow;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.graph.TensorSpec;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.FunctionDefLibrary;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;

/**
 * Turns one signature of a MetaGraph into a self-contained dataflow graph: function calls inlined,
 * variables replaced by constants, lookup tables rebuilt from their exported contents, control edges and
 * identity chains removed, and everything the signature's outputs do not need pruned. Functional
 * control flow (While, If, Case and their stateless forms) stays one node whose functions are kept in the
 * graph's function library (variables they read are frozen too, see {@link ResourceArgumentFreezer}).
 * TF1 control flow (the frames of graph-mode loops and conds, {@link Tf1ControlFlow}) stays as it is, its
 * control edges included. The result is in topological order but for the loops' back edges.
 */
final class GraphFreezer {

  /** Ops that pass a tensor through unchanged. */
  static final Set<String> IDENTITY_OPS = Set.of("Identity", "IdentityN", "Snapshot", "StopGradient");
  /** Ops that change variables or tables besides the Assign and Apply families: no inference graph runs one. */
  private static final Set<String> VARIABLE_WRITERS = Set.of("ScatterUpdate", "ScatterAdd", "ScatterSub",
      "ScatterMul", "ScatterDiv", "ScatterNdUpdate", "ScatterNdAdd", "ResourceStridedSliceAssign",
      "StridedSliceAssign", "LookupTableInsertV2", "LookupTableInsert", "LookupTableRemoveV2",
      "LookupTableImportV2", "LookupTableImport", "CountUpTo", "ResourceCountUpTo");
  private static final int MAX_INLINE_ROUNDS = 64;

  private final Path modelDir;
  private final MetaGraphDef metaGraph;
  private final Signature signature;
  private final FunctionInliner inliner;
  private final Map<String, FunctionDef> library = new LinkedHashMap<>();
  private final Map<String, NodeDef> nodes = new LinkedHashMap<>();
  private boolean hasTables;
  /** Nodes inside TF1 loop and cond frames: they keep their control edges and identities. */
  private Set<String> frames = Set.of();
  private int variablesFrozen;

  GraphFreezer(Path modelDir, MetaGraphDef metaGraph, Signature signature) {
    this.modelDir = modelDir;
    this.metaGraph = metaGraph;
    this.signature = signature;
    metaGraph.getGraphDef().getLibrary().getFunctionList()
        .forEach(f -> library.put(f.getSignature().getName(), FunctionLibrary.withoutDevices(f)));
    this.inliner = new FunctionInliner(List.copyOf(library.values()), OpRegistry.get());
    for (NodeDef n : metaGraph.getGraphDef().getNodeList()) {
      nodes.put(n.getName(), n.toBuilder().clearDevice().build());
    }
  }

  /** The frozen nodes in topological order and the functions they still call. */
  record Result(List<NodeDef> nodes, FunctionDefLibrary library, int variablesFrozen) {}

  Result freeze() {
    checkSignatureTensors();
    signatureInputsAsPlaceholders();
    inlineCalls();
    frames = Tf1ControlFlow.frameNodes(nodes.values());
    Set<String> reach = reachable();
    checkInferenceOnly(reach);
    simplifyIdentities();
    reach = reachable();
    freezeState(reach);
    Set<String> keep = reachable();
    if (hasTables) {
      keep.add(FrozenGraph.INIT_OP);
      keep.addAll(inputClosure(FrozenGraph.INIT_OP));
    }
    List<NodeDef> sorted = topologicalOrder(keep);
    checkFunctionsPresent(sorted);
    FunctionDefLibrary.Builder lib = FunctionDefLibrary.newBuilder()
        .addAllFunction(FunctionLibrary.reachable(library, sorted));
    return new Result(sorted, lib.build(), variablesFrozen);
  }

  /** Control flow kept in the graph needs its functions (and theirs) in the library. */
  private void checkFunctionsPresent(List<NodeDef> kept) {
    List<NodeDef> callers = new ArrayList<>(kept);
    FunctionLibrary.reachable(library, kept).forEach(f -> callers.addAll(f.getNodeDefList()));
    for (NodeDef n : callers) {
      if (n.getOp().equals(OpRegistry.TRT_ENGINE_OP)) {
        continue; // kept as is and never run here; its fallback function may be absent
      }
      for (var a : new java.util.TreeMap<>(n.getAttrMap()).entrySet()) {
        List<String> names = a.getValue().hasFunc() ? List.of(a.getValue().getFunc().getName())
            : a.getValue().getList().getFuncList().stream().map(f -> f.getName()).toList();
        for (String f : names) {
          if (!library.containsKey(f)) {
            throw new ImportException("node '" + n.getName() + "' (" + n.getOp() + ") calls function '" + f
                + "' (attribute " + a.getKey() + "), which is not in the SavedModel's function library: the model"
                + " is incomplete; re-export it");
          }
        }
      }
    }
  }

  /** True for ops that write variables or tables (Assign*, *Apply*, Scatter*, table inserts...). */
  static boolean isVariableWriter(String op) {
    return VARIABLE_WRITERS.contains(op) || op.startsWith("Assign") || op.startsWith("ResourceApply")
        || op.startsWith("ApplyG") || op.startsWith("ApplyA") || op.startsWith("ApplyM") || op.startsWith("ApplyR")
        || op.startsWith("ApplyF") || op.startsWith("ApplyP") || op.startsWith("ResourceSparseApply")
        || op.startsWith("SparseApply") || op.startsWith("ResourceScatter");
  }

  private void checkSignatureTensors() {
    for (Signature.Argument a : concat(signature.inputs(), signature.outputs())) {
      if (a.tensor().name().isEmpty()) {
        throw new ImportException("signature '" + signature.key() + "' argument '" + a.key()
            + "' is a composite tensor (ragged, or another tf.CompositeTensor): trtfleet imports dense and"
            + " sparse arguments; export the signature with dense inputs (e.g. a padded tensor) or a SparseTensor");
      }
      if (!nodes.containsKey(a.ref().node())) {
        throw new ImportException("signature '" + signature.key() + "' names tensor '" + a.tensor().name()
            + "', which is not in the graph of " + modelDir + ": the SavedModel is inconsistent; re-export it");
      }
    }
  }

  private void inlineCalls() {
    for (int round = 0; ; round++) {
      List<NodeDef> calls = new ArrayList<>();
      for (String name : reachable()) {
        NodeDef n = nodes.get(name);
        if (inliner.calledFunction(n) != null) {
          calls.add(n);
        }
      }
      if (calls.isEmpty()) {
        return;
      }
      if (round == MAX_INLINE_ROUNDS) {
        throw new ImportException("function calls in signature '" + signature.key() + "' nest deeper than "
            + MAX_INLINE_ROUNDS + " levels (recursion?): trtfleet cannot inline them");
      }
      for (NodeDef call : calls) {
        for (NodeDef n : inliner.inline(call, inliner.calledFunction(call))) {
          nodes.put(n.getName(), n);
        }
      }
    }
  }

  /** Nodes the signature's outputs depend on through data edges, plus the signature's inputs. */
  private Set<String> reachable() {
    List<String> roots = new ArrayList<>();
    signature.outputs().forEach(a -> roots.add(a.ref().node()));
    signature.inputs().forEach(a -> roots.add(a.ref().node()));
    return closure(roots, false);
  }

  private Set<String> inputClosure(String root) {
    return closure(List.of(root), true);
  }

  private Set<String> closure(List<String> roots, boolean control) {
    Set<String> result = new java.util.LinkedHashSet<>();
    Deque<String> work = new ArrayDeque<>(roots);
    while (!work.isEmpty()) {
      String name = work.pop();
      if (result.add(name)) {
        NodeDef n = nodes.get(name);
        if (n == null) {
          throw new ImportException("node '" + name + "' is referenced but not defined in " + modelDir
              + ": the graph is incomplete; re-export the model");
        }
        for (String in : n.getInputList()) {
          if (control || !in.startsWith("^") || frames.contains(name)) {
            work.add(TensorRef.parse(in).node());
          }
        }
      }
    }
    return result;
  }

  /**
   * The signature may not write variables or tables: not through its data inputs, not through control
   * dependencies (a TF1 train op), not inside the functions it calls.
   */
  private void checkInferenceOnly(Set<String> reach) {
    List<NodeDef> checked = new ArrayList<>();
    closure(new ArrayList<>(reach), true).forEach(name -> checked.add(nodes.get(name)));
    for (FunctionDef f : FunctionLibrary.reachable(library, checked)) {
      f.getNodeDefList().forEach(checked::add);
    }
    for (NodeDef n : checked) {
      if (isVariableWriter(n.getOp())) {
        throw new ImportException("signature '" + signature.key() + "' changes a variable (node '" + n.getName()
            + "', " + n.getOp() + "): it is not an inference graph and cannot be frozen; choose a"
            + " signature that only reads");
      }
    }
  }

  private void freezeState(Set<String> reach) {
    StateFreezer state = new StateFreezer(modelDir, metaGraph, nodes, library, frames);
    variablesFrozen = state.freeze(reach);
    hasTables = state.hasTables();
  }

  static NodeDef stringConstant(String name, String value) {
    return constant(name, TensorProto.newBuilder().setDtype(DataType.DT_STRING)
        .setTensorShape(TensorSpec.toProto(new long[0])).addStringVal(ByteString.copyFromUtf8(value)).build());
  }

  static NodeDef constant(String name, TensorProto value) {
    return NodeDef.newBuilder().setName(name).setOp("Const")
        .putAttr("dtype", AttrValue.newBuilder().setType(value.getDtype()).build())
        .putAttr("value", AttrValue.newBuilder().setTensor(value).build())
        .build();
  }

  /**
   * Removes control edges and rewires readers of identity-like nodes to their sources. Nodes that a
   * signature names keep their names, so the signature stays valid.
   */
  private void simplifyIdentities() {
    Set<String> pinned = new HashSet<>();
    concat(signature.inputs(), signature.outputs()).forEach(a -> pinned.add(a.ref().node()));
    Map<String, String> forward = new HashMap<>();
    for (NodeDef n : nodes.values()) {
      if (IDENTITY_OPS.contains(n.getOp()) && !pinned.contains(n.getName()) && !frames.contains(n.getName())) {
        List<String> ins = n.getInputList().stream().filter(in -> !in.startsWith("^")).toList();
        for (int i = 0; i < ins.size(); i++) {
          forward.put(TensorRef.of(n.getName(), i).tensorName(), ins.get(i));
        }
      }
    }
    for (Map.Entry<String, NodeDef> e : nodes.entrySet()) {
      NodeDef n = e.getValue();
      NodeDef.Builder b = n.toBuilder().clearInput();
      if (n.getOp().equals("IdentityN") && n.getAttrMap().get("T").getList().getTypeCount() == 1) {
        b.setOp("Identity").removeAttr("T")
            .putAttr("T", AttrValue.newBuilder().setType(n.getAttrMap().get("T").getList().getType(0)).build());
      }
      for (String in : n.getInputList()) {
        if (!in.startsWith("^")) {
          b.addInput(follow(in, forward));
        } else if (frames.contains(n.getName())) {
          b.addInput(in);  // frames need their control edges (a Const runs in its loop through its pivot)
        }
      }
      e.setValue(b.build());
    }
  }

  private static String follow(String input, Map<String, String> forward) {
    String current = input;
    for (int hops = 0; hops < 100_000; hops++) {
      String next = forward.get(TensorRef.parse(current).tensorName());
      if (next == null) {
        return TensorRef.parse(current).toInput();
      }
      current = next;
    }
    throw new ImportException("identity cycle through '" + input + "': the graph is malformed");
  }

  /**
   * Cuts the graph at the signature's inputs: each becomes a Placeholder of the signature's dtype and
   * shape (TF2 exports PlaceholderWithDefault; TF1 signatures may name an Identity behind a parser), so
   * whatever produced it upstream is pruned.
   */
  private void signatureInputsAsPlaceholders() {
    for (Signature.Argument a : signature.inputs()) {
      TensorRef ref = a.ref();
      NodeDef n = nodes.get(ref.node());
      if (n.getOp().equals("Placeholder")) {
        continue;
      }
      if (ref.index() != 0) {
        throw new ImportException("signature '" + signature.key() + "' input '" + a.key() + "' is output "
            + ref.index() + " of node '" + ref.node() + "' (" + n.getOp() + "): trtfleet needs inputs that"
            + " are a node's first output; re-export with a tf.placeholder or a tf.function input");
      }
      nodes.put(n.getName(), NodeDef.newBuilder().setName(n.getName()).setOp("Placeholder")
          .putAttr("dtype", AttrValue.newBuilder().setType(a.tensor().dtype()).build())
          .putAttr("shape", AttrValue.newBuilder().setShape(TensorSpec.toProto(a.tensor().shape())).build())
          .build());
    }
  }

  /** Kahn's algorithm, ties broken by the original node order so results are deterministic. */
  private List<NodeDef> topologicalOrder(Set<String> keep) {
    Map<String, Integer> position = new HashMap<>();
    List<String> order = new ArrayList<>();
    for (String name : nodes.keySet()) {
      if (keep.contains(name)) {
        position.put(name, order.size());
        order.add(name);
      }
    }
    Map<String, Integer> pending = new HashMap<>();
    Map<String, List<String>> users = new HashMap<>();
    for (String name : order) {
      Set<String> producers = new HashSet<>();
      NodeDef n = nodes.get(name);
      for (String in : n.getInputList()) {
        String p = TensorRef.parse(in).node();
        if (!Tf1ControlFlow.isBackEdge(nodes.get(p).getOp(), n.getOp())) {
          producers.add(p);
        }
      }
      pending.put(name, producers.size());
      producers.forEach(p -> users.computeIfAbsent(p, k -> new ArrayList<>()).add(name));
    }
    java.util.PriorityQueue<String> ready = new java.util.PriorityQueue<>(
        java.util.Comparator.comparingInt(position::get));
    order.stream().filter(n -> pending.get(n) == 0).forEach(ready::add);
    List<NodeDef> sorted = new ArrayList<>(order.size());
    while (!ready.isEmpty()) {
      String name = ready.poll();
      sorted.add(nodes.get(name));
      for (String u : users.getOrDefault(name, List.of())) {
        if (pending.merge(u, -1, Integer::sum) == 0) {
          ready.add(u);
        }
      }
    }
    if (sorted.size() != order.size()) {
      throw new ImportException("signature '" + signature.key() + "' of " + modelDir
          + " has a dataflow cycle outside functional control flow: the graph is malformed");
    }
    return sorted;
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
