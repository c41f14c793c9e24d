package io.trtfleet.importer;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.graph.TensorSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDefLibrary;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.VersionDef;

/**
 * Output dtypes and static shapes of every node, from TensorFlow's own shape functions: the frozen
 * graph is imported into a TensorFlow Java {@link Graph}, which runs them. Nodes of ops this
 * TensorFlow cannot run (TRTEngineOp) stand in as Placeholders typed from their attributes.
 */
final class ShapeInference {

  private ShapeInference() {}

  static List<Node> infer(List<NodeDef> sorted, FunctionDefLibrary library, VersionDef versions) {
    Map<String, List<TensorSpec>> declared = new HashMap<>();
    GraphDef.Builder def = GraphDef.newBuilder().setVersions(versions).setLibrary(library);
    for (NodeDef n : sorted) {
      if (OpRegistry.get().isRunnable(n.getOp()) || isFunction(library, n.getOp())) {
        NodeDef.Builder b = n.toBuilder().clearInput();
        for (String in : n.getInputList()) {
          b.addInput(standIn(TensorRef.parse(in), declared));
        }
        def.addNode(b);
      } else {
        List<TensorSpec> outs = declaredOutputs(n);
        declared.put(n.getName(), outs);
        for (int i = 0; i < outs.size(); i++) {
          def.addNode(NodeDef.newBuilder().setName(standInName(n.getName(), i)).setOp("Placeholder")
              .putAttr("dtype", AttrValue.newBuilder().setType(outs.get(i).dtype()).build())
              .putAttr("shape", AttrValue.newBuilder().setShape(TensorSpec.toProto(outs.get(i).shape())).build()));
        }
      }
    }
    List<Node> nodes = new ArrayList<>(sorted.size());
    try (Graph graph = new Graph()) {
      try {
        graph.importGraphDef(def.build());
      } catch (IllegalArgumentException e) {
        throw new ImportException("TensorFlow " + org.tensorflow.TensorFlow.version()
            + " rejected the frozen graph: " + io.trtfleet.Messages.oneLine(e.getMessage())
            + " (an op or attribute this TensorFlow version does not know?)", e);
      }
      for (NodeDef n : sorted) {
        List<TensorRef> inputs = n.getInputList().stream().map(TensorRef::parse).toList();
        List<TensorSpec> outputs = declared.get(n.getName());
        if (outputs == null) {
          GraphOperation op = graph.operationOrThrow(n.getName());
          outputs = new ArrayList<>(op.numOutputs());
          for (int i = 0; i < op.numOutputs(); i++) {
            Output<?> o = op.output(i);
            outputs.add(new TensorSpec(TensorRef.of(n.getName(), i).tensorName(), o.dataType(), dims(o.shape())));
          }
        }
        nodes.add(new Node(n, inputs, outputs));
      }
    }
    return nodes;
  }

  private static boolean isFunction(FunctionDefLibrary library, String op) {
    return library.getFunctionList().stream().anyMatch(f -> f.getSignature().getName().equals(op));
  }

  private static String standIn(TensorRef ref, Map<String, List<TensorSpec>> declared) {
    return declared.containsKey(ref.node()) ? standInName(ref.node(), ref.index()) : ref.toInput();
  }

  private static String standInName(String node, int index) {
    return node + "/trtfleet_output_" + index;
  }

  /** Outputs of an op TensorFlow cannot run, from TF-TRT's attributes (OutT, output_shapes). */
  private static List<TensorSpec> declaredOutputs(NodeDef n) {
    AttrValue types = n.getAttrMap().getOrDefault("OutT", n.getAttrMap().get("_output_types"));
    if (types == null) {
      throw new ImportException("node '" + n.getName() + "' uses op '" + n.getOp() + "', which TensorFlow "
          + org.tensorflow.TensorFlow.version() + " does not register and whose output types are not"
          + " recorded: trtfleet cannot import custom ops; export the model without it");
    }
    AttrValue shapes = n.getAttrMap().getOrDefault("output_shapes", n.getAttrMap().get("_output_shapes"));
    List<TensorSpec> outs = new ArrayList<>();
    for (int i = 0; i < types.getList().getTypeCount(); i++) {
      DataType t = types.getList().getType(i);
      long[] shape = shapes != null && shapes.getList().getShapeCount() > i
          ? TensorSpec.dims(shapes.getList().getShape(i)) : null;
      outs.add(new TensorSpec(TensorRef.of(n.getName(), i).tensorName(), t, shape));
    }
    return outs;
  }

  private static long[] dims(Shape shape) {
    return shape.isUnknown() ? null : shape.asArray();
  }
}
