package io.trtfleet.convert;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.graph.TensorSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which ONNX values hold each TensorFlow tensor converted so far: segment inputs, converter outputs,
 * aliases (Identity and friends) and constants (Const nodes, decoded on first use, and folded subgraphs).
 */
final class ValueTable {

  private final FrozenGraph graph;
  private final Map<String, TensorValue> values = new HashMap<>();

  ValueTable(FrozenGraph graph) {
    this.graph = graph;
  }

  /** Registers a segment input: the graph input named after the tensor holds it as is. */
  void defineInput(TensorSpec spec, String onnxName, int elemType) {
    values.put(spec.name(), TensorValue.held(spec.name(), spec, onnxName, Layout.AS_IS, elemType));
  }

  /** Records that output {@code index} of {@code node} is held by ONNX value {@code onnxName}. */
  void define(Node node, int index, String onnxName, Layout layout, int elemType) {
    String tf = TensorRef.of(node.name(), index).tensorName();
    values.put(tf, TensorValue.held(tf, node.output(index), onnxName, layout, elemType));
  }

  /** Output {@code index} of {@code node} is the same tensor as {@code source} (Identity and friends). */
  void alias(Node node, int index, TensorValue source) {
    String tf = TensorRef.of(node.name(), index).tensorName();
    TensorValue v = new TensorValue(tf, node.output(index), source.constant);
    v.views.putAll(source.views);
    v.primary = source.primary;
    v.unflattened = source.unflattened;
    values.put(tf, v);
  }

  /** Output {@code index} of {@code node} is a constant (TensorFlow computed it). */
  void defineConstant(Node node, int index, Constant value) {
    String tf = TensorRef.of(node.name(), index).tensorName();
    values.put(tf, new TensorValue(tf, node.output(index), value));
  }

  TensorValue value(TensorRef ref) {
    TensorValue v = values.get(ref.tensorName());
    if (v != null) {
      return v;
    }
    Node producer = graph.node(ref.node());
    if (producer.op().equals("Const")) {
      Constant c = Constant.of(producer.attr("value").orElseThrow().getTensor());
      if (c == null) {
        throw new UnsupportedNodeException(producer, "constant of type " + producer.output(0).dtypeName()
            + " has no ONNX form here");
      }
      v = new TensorValue(ref.tensorName(), producer.output(0), c);
      values.put(ref.tensorName(), v);
      return v;
    }
    throw new IllegalStateException("tensor " + ref + " is read before it is converted (not a segment input?)");
  }

  /** Data input {@code i} of a node. */
  TensorValue in(Node node, int i) {
    List<TensorRef> inputs = node.dataInputs();
    if (i >= inputs.size()) {
      throw new UnsupportedNodeException(node, "expected at least " + (i + 1) + " inputs");
    }
    return value(inputs.get(i));
  }

  /** The value of a tensor when it is a constant (a Const node or a folded subgraph). */
  Optional<Constant> constantValue(TensorRef ref) {
    TensorValue v = values.get(ref.tensorName());
    if (v != null) {
      return Optional.ofNullable(v.constant);
    }
    return graph.node(ref.node()).op().equals("Const") ? Optional.ofNullable(value(ref).constant) : Optional.empty();
  }

  Constant constantInput(Node node, int i, String what) {
    TensorValue v = in(node, i);
    if (!v.isConstant()) {
      throw new UnsupportedNodeException(node, what + " must be a constant (input " + node.dataInputs().get(i) + ")");
    }
    return v.constant;
  }

  /** True when every data input of the node is a constant (and there is at least one). */
  boolean allInputsConstant(Node node) {
    if (node.dataInputs().isEmpty()) {
      return false;
    }
    for (TensorRef r : node.dataInputs()) {
      TensorValue v = values.get(r.tensorName());
      boolean constant = v != null ? v.isConstant() : graph.node(r.node()).op().equals("Const");
      if (!constant) {
        return false;
      }
    }
    return true;
  }

  /**
   * TensorFlow tensor name to the ONNX value holding its primary (first converted) form, for every
   * non-constant tensor converted so far. Rank-4 activations are usually held NCHW: the same elements
   * in another order (what an |x| histogram needs). Tensors absorbed into a fused op have no entry.
   */
  Map<String, String> primaryValues() {
    Map<String, String> out = new java.util.TreeMap<>();
    values.forEach((tf, v) -> {
      if (!v.isConstant() && v.primary != null) {
        out.put(tf, v.views.get(v.primary));
      }
    });
    return out;
  }
}
