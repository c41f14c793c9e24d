package io.trtfleet.segment;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.importer.OpRegistry;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;

/**
 * The native segment of an engine: the segment's nodes as a TensorFlow function named
 * {@code <engine>_native_segment}, with the segment's inputs as arguments {@code input_<i>} and its
 * outputs as results {@code output_<i>} (in {@link Segment} order). A TRTEngineOp names it in its
 * {@code segment_func} attribute and runs it when the engine cannot serve a batch, as TF-TRT does.
 */
public final class NativeSegmentBuilder {

  private NativeSegmentBuilder() {}

  public static String functionName(String engine) {
    return engine + "_native_segment";
  }

  public static FunctionDef functionDef(FrozenGraph graph, Segment segment) {
    Set<String> inside = new HashSet<>(segment.nodes());
    OpDef.Builder signature = OpDef.newBuilder().setName(functionName(segment.name()));
    Map<String, String> argument = new HashMap<>();
    for (int i = 0; i < segment.inputs().size(); i++) {
      TensorSpec in = segment.inputs().get(i);
      signature.addInputArg(OpDef.ArgDef.newBuilder().setName("input_" + i).setType(in.dtype()));
      argument.put(in.name(), "input_" + i);
    }
    for (int i = 0; i < segment.outputs().size(); i++) {
      signature.addOutputArg(OpDef.ArgDef.newBuilder().setName("output_" + i)
          .setType(segment.outputs().get(i).dtype()));
    }
    // TF-TRT also sets experimental_ints_on_device; TensorFlow refuses to run such a function through
    // PartitionedCall when it is multi-device, so the native segment leaves it out.
    FunctionDef.Builder f = FunctionDef.newBuilder().setSignature(signature);
    for (String name : segment.nodes()) {
      NodeDef def = graph.node(name).def();
      NodeDef.Builder body = def.toBuilder().clearInput();
      for (TensorRef ref : graph.node(name).dataInputs()) {
        if (inside.contains(ref.node())) {
          body.addInput(bodyReference(graph.node(ref.node()), ref.index()));
        } else {
          String arg = argument.get(ref.tensorName());
          if (arg == null) {
            throw new IllegalArgumentException("segment " + segment.name() + " reads " + ref.tensorName()
                + ", which is neither one of its nodes nor one of its inputs");
          }
          body.addInput(arg);
        }
      }
      f.addNodeDef(body);
    }
    for (int i = 0; i < segment.outputs().size(); i++) {
      TensorRef out = TensorRef.parse(segment.outputs().get(i).name());
      f.putRet("output_" + i, bodyReference(graph.node(out.node()), out.index()));
    }
    return f.build();
  }

  /** How a function body names output {@code index} of a node: {@code node:output_arg:i}. */
  static String bodyReference(Node node, int index) {
    OpDef def = OpRegistry.get().op(node.op()).orElseThrow(() -> new IllegalArgumentException(
        "op " + node.op() + " of node '" + node.name() + "' is not registered"));
    int base = 0;
    for (OpDef.ArgDef arg : def.getOutputArgList()) {
      int length = OpRegistry.argLength(arg, node.def());
      if (index < base + length) {
        return node.name() + ":" + arg.getName() + ":" + (index - base);
      }
      base += length;
    }
    throw new IllegalArgumentException("node '" + node.name() + "' has no output " + index);
  }
}
