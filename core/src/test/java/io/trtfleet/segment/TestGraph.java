package io.trtfleet.segment;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.Signature;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.graph.TensorSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;

/**
 * Builds a {@link FrozenGraph} directly, without TensorFlow's shape inference: every op's output has
 * the dtype and shape of its first input unless given. For segmentation tests and the benchmark, where
 * graph structure matters and the graph is never run.
 */
final class TestGraph {

  private final List<Node> nodes = new ArrayList<>();
  private final Map<String, Node> byName = new HashMap<>();
  private final List<Signature.Argument> inputs = new ArrayList<>();
  private final List<Signature.Argument> outputs = new ArrayList<>();

  static final long[] SHAPE = {-1, 8};

  TestGraph input(String name) {
    return input(name, SHAPE);
  }

  TestGraph input(String name, long... shape) {
    NodeDef def = NodeDef.newBuilder().setName(name).setOp("Placeholder")
        .putAttr("dtype", type(DataType.DT_FLOAT))
        .putAttr("shape", AttrValue.newBuilder().setShape(TensorSpec.toProto(shape)).build()).build();
    add(def, List.of(), new TensorSpec(name + ":0", DataType.DT_FLOAT, shape));
    inputs.add(new Signature.Argument(name, byName.get(name).output(0)));
    return this;
  }

  /** A float Const of the given shape (values not filled in: the segmenter never reads float values). */
  TestGraph constant(String name, long... shape) {
    NodeDef def = NodeDef.newBuilder().setName(name).setOp("Const")
        .putAttr("dtype", type(DataType.DT_FLOAT))
        .putAttr("value", AttrValue.newBuilder().setTensor(TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
            .setTensorShape(TensorSpec.toProto(shape)).addFloatVal(1f)).build()).build();
    add(def, List.of(), new TensorSpec(name + ":0", DataType.DT_FLOAT, shape));
    return this;
  }

  /** An int32 Const holding {@code values} (axes, perms, shapes). */
  TestGraph ints(String name, long... values) {
    TensorProto.Builder t = TensorProto.newBuilder().setDtype(DataType.DT_INT32)
        .setTensorShape(TensorSpec.toProto(new long[] {values.length}));
    for (long v : values) {
      t.addIntVal((int) v);
    }
    NodeDef def = NodeDef.newBuilder().setName(name).setOp("Const").putAttr("dtype", type(DataType.DT_INT32))
        .putAttr("value", AttrValue.newBuilder().setTensor(t).build()).build();
    add(def, List.of(), new TensorSpec(name + ":0", DataType.DT_INT32, new long[] {values.length}));
    return this;
  }

  /** A float op with T=float whose output looks like its first input. */
  TestGraph op(String name, String op, String... in) {
    return op(name, op, Map.of(), in);
  }

  TestGraph op(String name, String op, Map<String, AttrValue> attrs, String... in) {
    NodeDef.Builder def = NodeDef.newBuilder().setName(name).setOp(op).putAttr("T", type(DataType.DT_FLOAT))
        .putAllAttr(attrs);
    List<TensorRef> refs = new ArrayList<>();
    for (String i : in) {
      def.addInput(i);
      refs.add(TensorRef.parse(i));
    }
    TensorSpec first = refs.isEmpty() ? new TensorSpec("", DataType.DT_FLOAT, SHAPE) : tensor(refs.get(0));
    add(def.build(), refs, new TensorSpec(name + ":0", first.dtype(), first.shape()));
    return this;
  }

  /** A node with explicit output specs (any number of outputs). */
  TestGraph node(NodeDef def, TensorSpec... outs) {
    add(def, def.getInputList().stream().map(TensorRef::parse).toList(), outs);
    return this;
  }

  /** An Identity named {@code name} that the signature returns. */
  TestGraph output(String name, String from) {
    op(name, "Identity", from);
    outputs.add(new Signature.Argument(name, byName.get(name).output(0)));
    return this;
  }

  TensorSpec tensor(TensorRef ref) {
    return byName.get(ref.node()).output(ref.index());
  }

  FrozenGraph build() {
    GraphDef.Builder g = GraphDef.newBuilder();
    nodes.forEach(n -> g.addNode(n.def()));
    Signature sig = new Signature("serving_default", "tensorflow/serving/predict", inputs, outputs);
    return new FrozenGraph(g.build(), sig, nodes, 0);
  }

  private void add(NodeDef def, List<TensorRef> in, TensorSpec... outs) {
    for (TensorRef r : in) {
      if (!byName.containsKey(r.node())) {
        throw new IllegalArgumentException("unknown input " + r + " of " + def.getName());
      }
    }
    Node n = new Node(def, in, List.of(outs));
    nodes.add(n);
    byName.put(n.name(), n);
  }

  static AttrValue type(DataType t) {
    return AttrValue.newBuilder().setType(t).build();
  }

  static AttrValue str(String s) {
    return AttrValue.newBuilder().setS(com.google.protobuf.ByteString.copyFromUtf8(s)).build();
  }

  static AttrValue ints(long... values) {
    AttrValue.ListValue.Builder l = AttrValue.ListValue.newBuilder();
    for (long v : values) {
      l.addI(v);
    }
    return AttrValue.newBuilder().setList(l).build();
  }
}
