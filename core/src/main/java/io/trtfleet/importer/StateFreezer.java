package io.trtfleet.importer;

import com.google.protobuf.ByteString;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.graph.TensorSpec;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;

/**
 * Replaces the state a signature reads by constants, in the freezer's node map: a reference variable
 * becomes a Const, a resource variable's reads become Consts (a gather a GatherV2 of its frozen table), a
 * variable passed to a function or through a TF1 loop's Enter carries its value instead, and every lookup
 * table becomes a HashTableV2 filled from its exported contents by {@link FrozenGraph#INIT_OP}.
 */
final class StateFreezer {

  private final Path modelDir;
  private final MetaGraphDef metaGraph;
  private final Map<String, NodeDef> nodes;
  private final Map<String, FunctionDef> library;
  private final Set<String> frames;
  private boolean hasTables;

  StateFreezer(Path modelDir, MetaGraphDef metaGraph, Map<String, NodeDef> nodes, Map<String, FunctionDef> library,
      Set<String> frames) {
    this.modelDir = modelDir;
    this.metaGraph = metaGraph;
    this.nodes = nodes;
    this.library = library;
    this.frames = frames;
  }

  /** Freezes what {@code reach} uses; returns the number of variables frozen. */
  int freeze(Set<String> reach) {
    List<NodeDef> variables = reach.stream().map(nodes::get)
        .filter(n -> StateReader.REF_VARIABLE_OPS.contains(n.getOp())
            || n.getOp().equals(StateReader.RESOURCE_VARIABLE_OP))
        .sorted(java.util.Comparator.comparing(NodeDef::getName))
        .toList();
    List<NodeDef> tables = reach.stream().map(nodes::get).filter(n -> StateReader.TABLE_OPS.contains(n.getOp()))
        .sorted(java.util.Comparator.comparing(NodeDef::getName))
        .toList();
    StateReader.State state = StateReader.read(modelDir, metaGraph, variables, tables);
    Map<String, TensorProto> values = state.variables();
    Map<String, NodeDef> resourceVars = new HashMap<>();
    for (NodeDef v : variables) {
      if (v.getOp().equals(StateReader.RESOURCE_VARIABLE_OP)) {
        resourceVars.put(v.getName(), v);
      } else {
        nodes.put(v.getName(), GraphFreezer.constant(v.getName(), values.get(v.getName())));
      }
    }
    ResourceArgumentFreezer functions = new ResourceArgumentFreezer(library);
    // A TF1 loop reads a variable through Enter (and identities inside its frame): they carry its value.
    Map<String, TensorProto> carriers = new HashMap<>();
    resourceVars.keySet().forEach(v -> carriers.put(v, values.get(v)));
    Set<String> done = new HashSet<>();
    for (boolean changed = true; changed; ) {
      changed = false;
      for (String name : reach) {
        NodeDef n = nodes.get(name);
        if (done.contains(name)) {
          continue;
        }
        List<String> data = n.getInputList().stream().filter(in -> !in.startsWith("^")).toList();
        Map<Integer, ResourceArgumentFreezer.Frozen> frozen = new java.util.TreeMap<>();
        for (int i = 0; i < data.size(); i++) {
          String carrier = TensorRef.parse(data.get(i)).node();
          if (carriers.containsKey(carrier)) {
            frozen.put(i, ResourceArgumentFreezer.Frozen.of(carriers.get(carrier)));
          }
        }
        if (frozen.isEmpty()) {
          continue;
        }
        done.add(name);
        changed = true;
        String handle = TensorRef.parse(data.get(frozen.keySet().iterator().next())).node();
        TensorProto value = carriers.get(handle);
        boolean direct = resourceVars.containsKey(handle);
        switch (n.getOp()) {
          case "ReadVariableOp" -> nodes.put(name, direct && !frames.contains(name) ? GraphFreezer.constant(name, value)
              : n.toBuilder().setOp("Identity").clearAttr().putAttr("T", dtype(value)).build());
          case "ResourceGather" -> {
            if (!direct) {
              throw new ImportException("node '" + name + "' gathers from variable '" + handle + "' inside TF1"
                  + " control flow: trtfleet cannot freeze it; serve this signature with TensorFlow");
            }
            nodes.put(name, gatherFromConstant(n, handle, value));
          }
          case "Enter", "Identity" -> {
            NodeDef.Builder b = n.toBuilder().clearInput().putAttr("T", dtype(value));
            for (String in : n.getInputList()) {
              b.addInput(!in.startsWith("^") && resourceVars.containsKey(TensorRef.parse(in).node())
                  ? frozenValue(TensorRef.parse(in).node(), values) : in);
            }
            nodes.put(name, b.build());
            carriers.put(name, value);
          }
          default -> {
            if (!direct || !functions.callsFunction(n)) {
              throw new ImportException("node '" + name + "' (" + n.getOp() + ") uses variable '" + handle
                  + "' in a way trtfleet cannot freeze (only reads are); serve this signature with TensorFlow");
            }
            NodeDef.Builder call = functions.rewrite(n, frozen).node().toBuilder().clearInput();
            int d = 0;
            for (String in : n.getInputList()) {
              boolean isData = !in.startsWith("^");
              if (isData && frozen.containsKey(d)) {
                call.addInput(frozenValue(TensorRef.parse(in).node(), values));
              } else {
                call.addInput(in);
              }
              d += isData ? 1 : 0;
            }
            nodes.put(name, call.build());
          }
        }
      }
    }
    state.tables().forEach(this::rebuildTable);
    return variables.size();
  }

  boolean hasTables() {
    return hasTables;
  }

  private static AttrValue dtype(TensorProto value) {
    return AttrValue.newBuilder().setType(value.getDtype()).build();
  }

  /** A Const holding a variable's value, shared by every node that passes the variable on. */
  private String frozenValue(String handle, Map<String, TensorProto> values) {
    String name = handle + "/frozen";
    nodes.putIfAbsent(name, GraphFreezer.constant(name, values.get(handle)));
    return name;
  }

  /**
   * A table becomes a HashTableV2 (same name, same key and value types) that {@link FrozenGraph#INIT_OP}
   * fills from constants: the graph no longer needs the checkpoint, the assets or the model's initializers.
   */
  private void rebuildTable(String name, StateReader.TableContents contents) {
    NodeDef old = nodes.get(name);
    if (old.getAttrMap().containsKey("value_shape")
        && old.getAttrMap().get("value_shape").getShape().getDimCount() > 0) {
      throw new ImportException("lookup table '" + name + "' (" + old.getOp() + ") maps keys to vectors:"
          + " trtfleet freezes tables of scalar values only; serve this signature with TensorFlow");
    }
    nodes.put(name, NodeDef.newBuilder().setName(name).setOp("HashTableV2")
        .putAttr("key_dtype", old.getAttrMap().get("key_dtype"))
        .putAttr("value_dtype", old.getAttrMap().get("value_dtype"))
        .putAttr("shared_name", AttrValue.newBuilder().setS(ByteString.copyFromUtf8("trtfleet_" + name)).build())
        .putAttr("container", AttrValue.newBuilder().setS(ByteString.EMPTY).build())
        .putAttr("use_node_name_sharing", AttrValue.newBuilder().setB(false).build())
        .build());
    String keys = name + "/trtfleet_keys";
    String values = name + "/trtfleet_values";
    String init = name + "/trtfleet_init";
    nodes.put(keys, GraphFreezer.constant(keys, contents.keys()));
    nodes.put(values, GraphFreezer.constant(values, contents.values()));
    nodes.put(init, NodeDef.newBuilder().setName(init).setOp("InitializeTableV2")
        .addInput(name).addInput(keys).addInput(values)
        .putAttr("Tkey", old.getAttrMap().get("key_dtype"))
        .putAttr("Tval", old.getAttrMap().get("value_dtype"))
        .build());
    NodeDef.Builder all = nodes.containsKey(FrozenGraph.INIT_OP) ? nodes.get(FrozenGraph.INIT_OP).toBuilder()
        : NodeDef.newBuilder().setName(FrozenGraph.INIT_OP).setOp("NoOp");
    nodes.put(FrozenGraph.INIT_OP, all.addInput("^" + init).build());
    hasTables = true;
  }

  /** Keras embeddings read rows of a variable: a GatherV2 of the frozen table. */
  private NodeDef gatherFromConstant(NodeDef gather, String handle, TensorProto value) {
    String table = handle + "/frozen";
    nodes.put(table, GraphFreezer.constant(table, value));
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
}
