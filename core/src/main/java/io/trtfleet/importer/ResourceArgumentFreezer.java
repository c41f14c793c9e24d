package io.trtfleet.importer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.NameAttrList;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Freezes variables that functions kept in the graph read through a resource argument: a generic Keras
 * RNN's loop body, a branch of {@code tf.cond}, a function such a body calls. The node that passes the
 * variable gets its value instead (a Const), and calls a copy of the function whose argument takes that
 * value: {@code ReadVariableOp} of it becomes an {@code Identity}, {@code ResourceGather} a
 * {@code GatherV2}, and a nested call passes it on to a copy of its own function. Any other use (a write)
 * is refused, naming the node.
 */
final class ResourceArgumentFreezer {

  private static final Set<String> WHILE = Set.of("While", "StatelessWhile");
  private static final Set<String> IF = Set.of("If", "StatelessIf");
  private static final Set<String> CASE = Set.of("Case", "StatelessCase");

  /** The dtype and shape a frozen resource argument takes. */
  record Frozen(DataType dtype, TensorShapeProto shape) {
    static Frozen of(TensorProto value) {
      return new Frozen(value.getDtype(), value.getTensorShape());
    }
  }

  /** A rewritten call: the node, and which of its outputs now carry a value instead of a handle. */
  record Rewritten(NodeDef node, Map<Integer, Frozen> valueOutputs) {}

  private record Specialized(String name, Map<Integer, Frozen> valueOutputs) {}

  private final Map<String, FunctionDef> library;
  private final Map<String, Specialized> specialized = new HashMap<>();

  /** @param library the functions by name; specialized copies are added to it */
  ResourceArgumentFreezer(Map<String, FunctionDef> library) {
    this.library = library;
  }

  /** True when the node calls a function of the library (control flow, a call, a function op). */
  boolean callsFunction(NodeDef node) {
    return FunctionLibrary.called(node).anyMatch(library::containsKey);
  }

  /** The node with data inputs {@code frozen} (index to value type) taking values instead of handles. */
  Rewritten rewrite(NodeDef node, Map<Integer, Frozen> frozen) {
    NodeDef.Builder b = node.toBuilder().removeAttr("_read_only_resource_inputs");
    Map<Integer, Frozen> outputs;
    if (WHILE.contains(node.getOp())) {
      Specialized body = specialize(funcAttr(node, "body"), frozen);
      Specialized cond = specialize(funcAttr(node, "cond"), frozen);
      if (!body.valueOutputs().keySet().equals(frozen.keySet())) {
        throw new ImportException("loop '" + node.getName() + "' carries a variable in loop variables "
            + frozen.keySet() + " but its body does not pass them through unchanged: trtfleet cannot freeze it");
      }
      b.putAttr("body", func(body.name())).putAttr("cond", func(cond.name()));
      b.putAttr("T", types(node.getAttrMap().get("T"), frozen, 0));
      AttrValue shapes = node.getAttrMap().get("output_shapes");
      if (shapes != null && shapes.getList().getShapeCount() == node.getAttrMap().get("T").getList().getTypeCount()) {
        AttrValue.ListValue.Builder list = shapes.getList().toBuilder();
        frozen.forEach((i, f) -> list.setShape(i, f.shape()));
        b.putAttr("output_shapes", AttrValue.newBuilder().setList(list).build());
      }
      outputs = frozen;
    } else if (IF.contains(node.getOp()) || CASE.contains(node.getOp())) {
      Map<Integer, Frozen> args = shifted(frozen, -1, node);
      List<String> branches = IF.contains(node.getOp())
          ? List.of(funcAttr(node, "then_branch"), funcAttr(node, "else_branch"))
          : node.getAttrMap().get("branches").getList().getFuncList().stream().map(NameAttrList::getName).toList();
      List<Specialized> done = branches.stream().map(f -> specialize(f, args)).toList();
      outputs = done.get(0).valueOutputs();
      for (Specialized s : done) {
        if (!s.valueOutputs().equals(outputs)) {
          throw new ImportException("the branches of '" + node.getName() + "' return a variable differently:"
              + " trtfleet cannot freeze it");
        }
      }
      if (IF.contains(node.getOp())) {
        b.putAttr("then_branch", func(done.get(0).name())).putAttr("else_branch", func(done.get(1).name()));
      } else {
        AttrValue.ListValue.Builder list = AttrValue.ListValue.newBuilder();
        done.forEach(s -> list.addFunc(NameAttrList.newBuilder().setName(s.name())));
        b.putAttr("branches", AttrValue.newBuilder().setList(list).build());
      }
      b.putAttr("Tin", types(node.getAttrMap().get("Tin"), args, 0));
      b.putAttr("Tout", types(node.getAttrMap().get("Tout"), outputs, 0));
    } else if (FunctionInliner.CALL_OPS.contains(node.getOp())) {
      Specialized f = specialize(funcAttr(node, "f"), frozen);
      outputs = f.valueOutputs();
      b.putAttr("f", func(f.name()));
      b.putAttr("Tin", types(node.getAttrMap().get("Tin"), frozen, 0));
      b.putAttr("Tout", types(node.getAttrMap().get("Tout"), outputs, 0));
    } else if (library.containsKey(node.getOp())) {
      Specialized f = specialize(node.getOp(), frozen);
      outputs = f.valueOutputs();
      b.setOp(f.name());
    } else {
      throw new ImportException("node '" + node.getName() + "' (" + node.getOp() + ") passes a variable to a"
          + " function in a way trtfleet cannot freeze; serve this signature with TensorFlow");
    }
    return new Rewritten(b.build(), outputs);
  }

  private Specialized specialize(String name, Map<Integer, Frozen> args) {
    String key = name + args.entrySet().stream().map(e -> "_" + e.getKey() + "t" + e.getValue().dtype().getNumber())
        .collect(Collectors.joining());
    Specialized done = specialized.get(key);
    if (done != null) {
      return done;
    }
    FunctionDef f = library.get(name);
    if (f == null) {
      throw new ImportException("function '" + name + "' is not in the SavedModel's function library: the model is"
          + " incomplete; re-export it");
    }
    String newName = name + "_trtfleet_frozen" + args.keySet().stream().map(i -> "_" + i).collect(Collectors.joining());
    FunctionDef.Builder b = f.toBuilder();
    OpDef.Builder sig = b.getSignatureBuilder().setName(newName);
    Map<String, Frozen> aliases = new HashMap<>();
    args.forEach((i, frozen) -> {
      if (i >= sig.getInputArgCount()) {
        throw new ImportException("function '" + name + "' has no argument " + i + ": the library is inconsistent");
      }
      OpDef.ArgDef.Builder arg = sig.getInputArgBuilder(i);
      arg.setType(frozen.dtype()).clearTypeAttr().clearNumberAttr().clearTypeListAttr().clearHandleData();
      b.removeArgAttr(i);
      aliases.put(arg.getName(), frozen);
    });
    Map<String, String> renamed = new HashMap<>();
    List<NodeDef> body = new ArrayList<>(b.getNodeDefList());
    boolean changed = true;
    Set<String> rewritten = new java.util.HashSet<>();
    while (changed) {
      changed = false;
      for (int n = 0; n < body.size(); n++) {
        NodeDef node = body.get(n);
        if (rewritten.contains(node.getName())) {
          continue;
        }
        Map<Integer, Frozen> reads = new TreeMap<>();
        List<String> data = node.getInputList().stream().filter(in -> !in.startsWith("^")).toList();
        for (int i = 0; i < data.size(); i++) {
          Frozen f2 = aliases.get(data.get(i));
          if (f2 != null) {
            reads.put(i, f2);
          }
        }
        if (reads.isEmpty()) {
          continue;
        }
        rewritten.add(node.getName());
        changed = true;
        body.set(n, rewriteInBody(name, node, reads, aliases, renamed, body));
      }
    }
    b.clearNodeDef();
    for (NodeDef node : body) {
      NodeDef.Builder nb = node.toBuilder().clearInput();
      node.getInputList().forEach(in -> nb.addInput(renamed.getOrDefault(in, in)));
      b.addNodeDef(nb);
    }
    Map<Integer, Frozen> valueOutputs = new LinkedHashMap<>();
    for (int k = 0; k < sig.getOutputArgCount(); k++) {
      String ret = b.getRetMap().get(sig.getOutputArg(k).getName());
      Frozen f2 = ret == null ? null : aliases.get(ret);
      if (f2 != null) {
        sig.getOutputArgBuilder(k).setType(f2.dtype()).clearTypeAttr().clearHandleData();
        valueOutputs.put(k, f2);
      } else if (ret != null && renamed.containsKey(ret)) {
        b.putRet(sig.getOutputArg(k).getName(), renamed.get(ret));
      }
    }
    library.put(newName, b.build());
    Specialized result = new Specialized(newName, valueOutputs);
    specialized.put(key, result);
    return result;
  }

  private NodeDef rewriteInBody(String function, NodeDef node, Map<Integer, Frozen> reads,
      Map<String, Frozen> aliases, Map<String, String> renamed, List<NodeDef> body) {
    Frozen first = reads.values().iterator().next();
    switch (node.getOp()) {
      case "ReadVariableOp" -> {
        renamed.put(node.getName() + ":value:0", node.getName() + ":output:0");
        return node.toBuilder().setOp("Identity").clearAttr().putAttr("T", type(first.dtype())).build();
      }
      case "Identity" -> {
        aliases.put(node.getName() + ":output:0", first);
        return node.toBuilder().putAttr("T", type(first.dtype())).build();
      }
      case "IdentityN" -> {
        reads.forEach((i, f) -> aliases.put(node.getName() + ":output:" + i, f));
        return node.toBuilder().putAttr("T", types(node.getAttrMap().get("T"), reads, 0)).build();
      }
      case "ResourceGather" -> {
        String axis = node.getName() + "/trtfleet_axis";
        body.add(NodeDef.newBuilder().setName(axis).setOp("Const")
            .putAttr("dtype", type(DataType.DT_INT32))
            .putAttr("value", AttrValue.newBuilder().setTensor(TensorProto.newBuilder().setDtype(DataType.DT_INT32)
                .setTensorShape(TensorShapeProto.getDefaultInstance()).addIntVal(0)).build()).build());
        List<String> inputs = node.getInputList();
        return NodeDef.newBuilder().setName(node.getName()).setOp("GatherV2")
            .addInput(inputs.get(0)).addInput(inputs.get(1)).addInput(axis + ":output:0")
            .putAttr("Tparams", type(first.dtype()))
            .putAttr("Tindices", node.getAttrMap().get("Tindices"))
            .putAttr("Taxis", type(DataType.DT_INT32))
            .putAttr("batch_dims", AttrValue.newBuilder().setI(node.getAttrMap()
                .getOrDefault("batch_dims", AttrValue.getDefaultInstance()).getI()).build())
            .build();
      }
      default -> {
        if (GraphFreezer.isVariableWriter(node.getOp())) {
          throw new ImportException("function '" + function + "' changes a variable (node '" + node.getName()
              + "', " + node.getOp() + "): it is not an inference graph and cannot be frozen");
        }
        if (!callsFunction(node)) {
          throw new ImportException("node '" + node.getName() + "' (" + node.getOp() + ") in function '" + function
              + "' uses a variable in a way trtfleet cannot freeze (only reads are); serve this model with TensorFlow");
        }
        Rewritten r = rewrite(node, reads);
        FunctionDef callee = library.get(node.getOp());
        r.valueOutputs().forEach((k, f) -> aliases.put(node.getName() + ":"
            + (callee != null ? callee.getSignature().getOutputArg(k).getName() + ":0" : "output:" + k), f));
        return r.node();
      }
    }
  }

  private static Map<Integer, Frozen> shifted(Map<Integer, Frozen> frozen, int by, NodeDef node) {
    Map<Integer, Frozen> out = new TreeMap<>();
    frozen.forEach((i, f) -> {
      if (i + by < 0) {
        throw new ImportException("node '" + node.getName() + "' selects its branch by a variable: trtfleet"
            + " cannot freeze it");
      }
      out.put(i + by, f);
    });
    return out;
  }

  private static String funcAttr(NodeDef node, String attr) {
    AttrValue a = node.getAttrMap().get(attr);
    if (a == null || !a.hasFunc()) {
      throw new ImportException("node '" + node.getName() + "' (" + node.getOp() + ") has no function attribute '"
          + attr + "': the graph is inconsistent; re-export the model");
    }
    return a.getFunc().getName();
  }

  private static AttrValue func(String name) {
    return AttrValue.newBuilder().setFunc(NameAttrList.newBuilder().setName(name)).build();
  }

  private static AttrValue type(DataType t) {
    return AttrValue.newBuilder().setType(t).build();
  }

  /** A list(type) attribute with the entries at {@code changed} (shifted by {@code offset}) replaced. */
  private static AttrValue types(AttrValue list, Map<Integer, Frozen> changed, int offset) {
    if (list == null) {
      return AttrValue.newBuilder().setList(AttrValue.ListValue.getDefaultInstance()).build();
    }
    AttrValue.ListValue.Builder b = list.getList().toBuilder();
    changed.forEach((i, f) -> {
      if (i + offset < b.getTypeCount()) {
        b.setType(i + offset, f.dtype());
      }
    });
    return AttrValue.newBuilder().setList(b).build();
  }
}
