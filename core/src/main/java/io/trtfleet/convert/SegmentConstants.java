package io.trtfleet.convert;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.reference.ReferenceRunner;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Nodes of a segment whose inputs are all constants, computed by TensorFlow itself (what TF-TRT's
 * grappler constant folding does before conversion; import folds most of them already), so Keras'
 * unfused batch norm or shape arithmetic on constants become initializers.
 */
final class SegmentConstants implements AutoCloseable {

  private final FrozenGraph graph;
  private final ValueTable values;
  private final ConversionNotes notes;
  private ReferenceRunner folder;

  SegmentConstants(FrozenGraph graph, ValueTable values, ConversionNotes notes) {
    this.graph = graph;
    this.values = values;
    this.notes = notes;
  }

  /** Deterministic ops only: folding a random or stateful op would freeze one draw of it. */
  static boolean isFoldable(Node node) {
    return io.trtfleet.importer.OpRegistry.get().op(node.op())
        .map(def -> !def.getIsStateful() && !node.op().contains("Random")).orElse(false);
  }

  /** Folds the node when all its inputs are constants; false when it cannot (an output dtype we do not fold). */
  boolean fold(Node node) {
    if (!isFoldable(node) || !values.allInputsConstant(node)) {
      return false;
    }
    if (folder == null) {
      folder = new ReferenceRunner(graph, 1);
    }
    List<String> outputs = new ArrayList<>();
    for (int i = 0; i < node.outputs().size(); i++) {
      outputs.add(TensorRef.of(node.name(), i).tensorName());
    }
    Map<String, HostTensor> computed = folder.run(Map.of(), outputs);
    Map<String, Constant> constants = new LinkedHashMap<>();
    for (String out : outputs) {
      Constant c = Constant.of(computed.get(out));
      if (c == null) {
        return false;
      }
      constants.put(out, c);
    }
    for (int i = 0; i < outputs.size(); i++) {
      values.defineConstant(node, i, constants.get(outputs.get(i)));
    }
    notes.folded(node.name(), "constant");
    return true;
  }

  @Override
  public void close() {
    if (folder != null) {
      folder.close();
    }
  }
}
