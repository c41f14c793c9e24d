package io.trtfleet.importer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;

/**
 * Inlines one call of a library function: the function's body nodes are copied into the graph under
 * the call node's name as prefix, and the call node becomes an IdentityN of the function's results
 * so that every consumer of {@code call:i} stays valid (identity simplification removes it later).
 */
final class FunctionInliner {

  static final Set<String> CALL_OPS = Set.of("PartitionedCall", "StatefulPartitionedCall");
  private final Map<String, FunctionDef> library;
  private final OpRegistry registry;

  FunctionInliner(List<FunctionDef> functions, OpRegistry registry) {
    this.library = new HashMap<>();
    for (FunctionDef f : functions) {
      library.put(f.getSignature().getName(), f);
    }
    this.registry = registry;
  }

  /** The function a node calls, or null when it is no function call. */
  String calledFunction(NodeDef node) {
    if (CALL_OPS.contains(node.getOp())) {
      AttrValue f = node.getAttrMap().get("f");
      return f == null ? null : f.getFunc().getName();
    }
    return library.containsKey(node.getOp()) ? node.getOp() : null;
  }

  /** The nodes that replace {@code call}: the function body, then an IdentityN named like the call. */
  List<NodeDef> inline(NodeDef call, String functionName) {
    FunctionDef fn = library.get(functionName);
    if (fn == null) {
      throw new ImportException("node '" + call.getName() + "' calls function '" + functionName
          + "', which is not in the SavedModel's function library: the model is incomplete; re-export it");
    }
    OpDef signature = fn.getSignature();
    List<String> callInputs = call.getInputList().stream().filter(s -> !s.startsWith("^")).toList();
    if (callInputs.size() != signature.getInputArgCount()) {
      throw new ImportException("node '" + call.getName() + "' passes " + callInputs.size()
          + " inputs to function '" + functionName + "', which takes " + signature.getInputArgCount()
          + ": the graph is inconsistent; re-export the model");
    }
    Map<String, String> argToInput = new HashMap<>();
    for (int i = 0; i < callInputs.size(); i++) {
      argToInput.put(signature.getInputArg(i).getName(), callInputs.get(i));
    }
    Map<String, NodeDef> body = new HashMap<>();
    for (NodeDef n : fn.getNodeDefList()) {
      body.put(n.getName(), n);
    }
    String prefix = call.getName() + "/";
    List<NodeDef> out = new ArrayList<>();
    for (NodeDef n : fn.getNodeDefList()) {
      NodeDef.Builder b = n.toBuilder().setName(prefix + n.getName()).clearDevice().clearInput();
      for (String in : n.getInputList()) {
        if (!in.startsWith("^")) {  // control edges are dropped: the frozen graph is pure dataflow
          b.addInput(resolve(in, argToInput, body, prefix, functionName));
        }
      }
      substitutePlaceholders(b, call, functionName);
      out.add(b.build());
    }
    NodeDef.Builder results = NodeDef.newBuilder().setName(call.getName()).setOp("IdentityN");
    AttrValue.ListValue.Builder types = AttrValue.ListValue.newBuilder();
    for (OpDef.ArgDef arg : signature.getOutputArgList()) {
      String ret = fn.getRetMap().get(arg.getName());
      if (ret == null) {
        throw new ImportException("function '" + functionName + "' has no result for output '"
            + arg.getName() + "': the function library is inconsistent; re-export the model");
      }
      results.addInput(resolve(ret, argToInput, body, prefix, functionName));
      types.addType(outputType(arg, call, functionName));
    }
    results.putAttr("T", AttrValue.newBuilder().setList(types).build());
    out.add(results.build());
    return out;
  }

  /** Maps a function-body tensor name (arg, or node:out_arg:index) to a graph input string. */
  private String resolve(String in, Map<String, String> argToInput, Map<String, NodeDef> body,
      String prefix, String functionName) {
    String[] parts = in.split(":");
    if (parts.length == 1) {
      String actual = argToInput.get(in);
      if (actual == null) {
        throw new ImportException("function '" + functionName + "' refers to '" + in
            + "', which is neither an argument nor an output: the function library is inconsistent");
      }
      return actual;
    }
    if (parts.length != 3) {
      throw new ImportException("function '" + functionName + "' uses tensor name '" + in
          + "', a form trtfleet cannot inline (expected node:output:index)");
    }
    NodeDef producer = body.get(parts[0]);
    if (producer == null) {
      throw new ImportException("function '" + functionName + "' refers to unknown node '" + parts[0] + "'");
    }
    int index = Integer.parseInt(parts[2]);
    int flat = flatIndex(producer, parts[1], index, functionName);
    return flat == 0 ? prefix + parts[0] : prefix + parts[0] + ":" + flat;
  }

  private int flatIndex(NodeDef producer, String argName, int index, String functionName) {
    FunctionDef callee = library.get(producer.getOp());
    if (callee != null) {  // a direct call of another library function: one tensor per output arg
      List<OpDef.ArgDef> outs = callee.getSignature().getOutputArgList();
      for (int i = 0; i < outs.size(); i++) {
        if (outs.get(i).getName().equals(argName)) {
          return i + index;
        }
      }
      return fail(producer, argName, functionName);
    }
    OpDef def = registry.op(producer.getOp()).orElseThrow(() -> new ImportException("op '"
        + producer.getOp() + "' (node '" + producer.getName() + "' in function '" + functionName
        + "') is not registered in TensorFlow " + org.tensorflow.TensorFlow.version()
        + ": trtfleet cannot import custom ops; export the model without it"));
    int flat = OpRegistry.flatOutputIndex(def, producer, argName, index);
    return flat >= 0 ? flat : fail(producer, argName, functionName);
  }

  private static int fail(NodeDef producer, String argName, String functionName) {
    throw new ImportException("node '" + producer.getName() + "' (" + producer.getOp()
        + ") in function '" + functionName + "' has no output '" + argName + "'");
  }

  /** Function attrs such as {@code T: $T} take their value from the call node. */
  private static void substitutePlaceholders(NodeDef.Builder b, NodeDef call, String functionName) {
    for (Map.Entry<String, AttrValue> e : Map.copyOf(b.getAttrMap()).entrySet()) {
      String placeholder = e.getValue().getPlaceholder();
      if (!placeholder.isEmpty()) {
        AttrValue value = call.getAttrMap().get(placeholder);
        if (value == null) {
          throw new ImportException("function '" + functionName + "' is polymorphic (attr '"
              + placeholder + "' unset at call '" + call.getName()
              + "'): export a concrete function (tf.function with an input_signature)");
        }
        b.putAttr(e.getKey(), value);
      }
    }
  }

  private static DataType outputType(OpDef.ArgDef arg, NodeDef call, String functionName) {
    if (arg.getType() != DataType.DT_INVALID) {
      return arg.getType();
    }
    AttrValue attr = call.getAttrMap().get(arg.getTypeAttr());
    if (attr == null) {
      throw new ImportException("function '" + functionName + "' output '" + arg.getName()
          + "' has no concrete type: export a concrete function (tf.function with an input_signature)");
    }
    return attr.getType();
  }
}
