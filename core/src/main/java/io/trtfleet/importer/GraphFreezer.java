package io.trtfleet.importer;

import io.trtfleet.graph.Signature;
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
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;

/**
 * Turns one signature of a MetaGraph into a self-contained dataflow graph: function calls inlined,
 * variables replaced by constants, control edges and identity chains removed, and everything the
 * signature's outputs do not need pruned. The result is in topological order.
 */
final class GraphFreezer {

  /** Ops that pass a tensor through unchanged. */
  static final Set<String> IDENTITY_OPS = Set.of("Identity", "IdentityN", "Snapshot", "StopGradient");
  /** Ops that change variables: a signature that runs one is no inference graph. */
  static final Set<String> VARIABLE_WRITERS = Set.of("Assign", "AssignAdd", "AssignSub",
      "AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp", "ScatterUpdate", "ScatterAdd",
      "ResourceScatterUpdate", "ResourceScatterAdd", "ResourceApplyAdam", "ResourceApplyGradientDescent");
  private static final int MAX_INLINE_ROUNDS = 64;

  private final Path modelDir;
  private final MetaGraphDef metaGraph;
  private final Signature signature;
  private final FunctionInliner inliner;
  private final Map<String, NodeDef> nodes = new LinkedHashMap<>();
  private int variablesFrozen;

  GraphFreezer(Path modelDir, MetaGraphDef metaGraph, Signature signature) {
    this.modelDir = modelDir;
    this.metaGraph = metaGraph;
    this.signature = signature;
    this.inliner = new FunctionInliner(metaGraph.getGraphDef().getLibrary().getFunctionList(), OpRegistry.get());
    for (NodeDef n : metaGraph.getGraphDef().getNodeList()) {
      nodes.put(n.getName(), n.toBuilder().clearDevice().build());
    }
  }

  record Result(List<NodeDef> nodes, int variablesFrozen) {}

  Result freeze() {
    checkSignatureTensors();
    signatureInputsAsPlaceholders();
    inlineCalls();
    Set<String> reach = reachable();
    checkInferenceOnly(reach);
    freezeVariables(reach);
    simplifyIdentities();
    return new Result(topologicalOrder(reachable()), variablesFrozen);
  }

  private void checkSignatureTensors() {
    for (Signature.Argument a : concat(signature.inputs(), signature.outputs())) {
      if (a.tensor().name().isEmpty()) {
        throw new ImportException("signature '" + signature.key() + "' argument '" + a.key()
            + "' is a sparse or composite tensor: trtfleet imports dense tensors only");
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
    Set<String> result = new java.util.LinkedHashSet<>();
    Deque<String> work = new ArrayDeque<>();
    signature.outputs().forEach(a -> work.add(a.ref().node()));
    signature.inputs().forEach(a -> work.add(a.ref().node()));
    while (!work.isEmpty()) {
      String name = work.pop();
      if (result.add(name)) {
        NodeDef n = nodes.get(name);
        if (n == null) {
          throw new ImportException("node '" + name + "' is referenced but not defined in " + modelDir
              + ": the graph is incomplete; re-export the model");
        }
        for (String in : n.getInputList()) {
          if (!in.startsWith("^")) {
            work.add(TensorRef.parse(in).node());
          }
        }
      }
    }
    return result;
  }

  private void checkInferenceOnly(Set<String> reach) {
    for (String name : reach) {
      NodeDef n = nodes.get(name);
      if (FunctionInliner.CONTROL_FLOW_OPS.contains(n.getOp())) {
        throw new ImportException("node '" + name + "' is control flow (" + n.getOp() + ") in signature '"
            + signature.key() + "': trtfleet imports straight-line graphs only; export the model without"
            + " tf.while_loop/tf.cond in the serving path, or serve it with TensorFlow");
      }
      if (VARIABLE_WRITERS.contains(n.getOp())) {
        throw new ImportException("signature '" + signature.key() + "' changes a variable (node '" + name
            + "', " + n.getOp() + "): it is not an inference graph and cannot be frozen; choose a"
            + " signature that only reads");
      }
    }
  }

  private void freezeVariables(Set<String> reach) {
    List<NodeDef> variables = reach.stream().map(nodes::get)
        .filter(n -> VariableReader.REF_VARIABLE_OPS.contains(n.getOp())
            || n.getOp().equals(VariableReader.RESOURCE_VARIABLE_OP))
        .sorted(java.util.Comparator.comparing(NodeDef::getName))
        .toList();
    Map<String, TensorProto> values = VariableReader.read(modelDir, metaGraph, variables);
    Map<String, NodeDef> resourceVars = new HashMap<>();
    for (NodeDef v : variables) {
      if (v.getOp().equals(VariableReader.RESOURCE_VARIABLE_OP)) {
        resourceVars.put(v.getName(), v);
      } else {
        nodes.put(v.getName(), constant(v.getName(), values.get(v.getName())));
      }
    }
    for (String name : reach) {
      NodeDef n = nodes.get(name);
      List<String> handles = n.getInputList().stream().filter(in -> !in.startsWith("^"))
          .map(in -> TensorRef.parse(in).node()).filter(resourceVars::containsKey).toList();
      if (handles.isEmpty()) {
        continue;
      }
      TensorProto value = values.get(handles.get(0));
      switch (n.getOp()) {
        case "ReadVariableOp" -> nodes.put(name, constant(name, value));
        case "ResourceGather" -> nodes.put(name, gatherFromConstant(n, handles.get(0), value));
        default -> throw new ImportException("node '" + name + "' (" + n.getOp() + ") uses variable '"
            + handles.get(0) + "' in a way trtfleet cannot freeze (only ReadVariableOp and"
            + " ResourceGather are); serve this signature with TensorFlow");
      }
    }
    variablesFrozen = variables.size();
  }

  /** Keras embeddings read rows of a variable: a GatherV2 of the frozen table. */
  private NodeDef gatherFromConstant(NodeDef gather, String handle, TensorProto value) {
    String table = handle + "/frozen";
    nodes.put(table, constant(table, value));
    String axis = gather.getName() + "/axis";
    nodes.put(axis, NodeDef.newBuilder().setName(axis).setOp("Const")
        .putAttr("dtype", AttrValue.newBuilder().setType(DataType.DT_INT32).build())
        .putAttr("value", AttrValue.newBuilder().setTensor(TensorProto.newBuilder()
            .setDtype(DataType.DT_INT32).setTensorShape(TensorSpec.toProto(new long[0])).addIntVal(0)).build())
        .build());
    String indices = gather.getInputList().stream().filter(in -> !in.startsWith("^")).toList().get(1);
    return NodeDef.newBuilder().setName(gather.getName()).setOp("GatherV2")
        .addInput(table).addInput(indices).addInput(axis)
        .putAttr("Tparams", AttrValue.newBuilder().setType(value.getDtype()).build())
        .putAttr("Tindices", gather.getAttrMap().get("Tindices"))
        .putAttr("Taxis", AttrValue.newBuilder().setType(DataType.DT_INT32).build())
        .putAttr("batch_dims", AttrValue.newBuilder().setI(gather.getAttrMap()
            .getOrDefault("batch_dims", AttrValue.getDefaultInstance()).getI()).build())
        .build();
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
      if (IDENTITY_OPS.contains(n.getOp()) && !pinned.contains(n.getName())) {
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
      for (String in : nodes.get(name).getInputList()) {
        producers.add(TensorRef.parse(in).node());
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
