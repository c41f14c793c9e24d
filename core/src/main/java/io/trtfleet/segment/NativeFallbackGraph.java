package io.trtfleet.segment;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.graph.TensorSpec;
import java.util.HashMap;
import java.util.Map;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDefLibrary;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NameAttrList;
import org.tensorflow.proto.NodeDef;

/**
 * The segmented graph with every segment replaced by a {@code PartitionedCall} of its native segment,
 * named like the engine: what a converted model runs when every engine falls back to TensorFlow (the
 * frozen graph's own functions, the bodies of its control flow, stay in the library). The
 * publish stage swaps the calls for TRTEngineOps; tests run it to prove the native segments compute
 * what the original graph computes.
 */
public final class NativeFallbackGraph {

  private NativeFallbackGraph() {}

  public static GraphDef graphDef(SegmentedGraph segmented) {
    Map<String, String> rewire = new HashMap<>();
    for (Segment s : segmented.segments()) {
      for (int i = 0; i < s.outputs().size(); i++) {
        rewire.put(s.outputs().get(i).name(), TensorRef.of(s.name(), i).toInput());
      }
    }
    GraphDef.Builder g = GraphDef.newBuilder().setVersions(segmented.graph().graphDef().getVersions());
    for (Node node : segmented.graph().nodes()) {
      if (segmented.ownerOf(node.name()).isPresent()) {
        continue;
      }
      NodeDef.Builder b = node.def().toBuilder().clearInput();
      node.inputs().forEach(ref -> b.addInput(rewire.getOrDefault(ref.tensorName(), ref.toInput())));
      g.addNode(b);
    }
    FunctionDefLibrary.Builder library = segmented.graph().graphDef().getLibrary().toBuilder();
    for (Segment s : segmented.segments()) {
      NodeDef.Builder call = NodeDef.newBuilder().setName(s.name()).setOp("PartitionedCall")
          .putAttr("Tin", types(s.inputs()))
          .putAttr("Tout", types(s.outputs()))
          .putAttr("f", AttrValue.newBuilder().setFunc(NameAttrList.newBuilder()
              .setName(NativeSegmentBuilder.functionName(s.name()))).build());
      s.inputs().forEach(in -> call.addInput(rewire.getOrDefault(in.name(), TensorRef.parse(in.name()).toInput())));
      g.addNode(call);
      library.addFunction(segmented.nativeSegments().get(s.name()));
    }
    return g.setLibrary(library).build();
  }

  private static AttrValue types(java.util.List<TensorSpec> tensors) {
    AttrValue.ListValue.Builder list = AttrValue.ListValue.newBuilder();
    tensors.stream().map(TensorSpec::dtype).forEach((DataType t) -> list.addType(t));
    return AttrValue.newBuilder().setList(list).build();
  }
}
