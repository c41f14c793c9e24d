package io.trtfleet.artifact;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.Signature;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.segment.Segment;
import io.trtfleet.segment.SegmentedGraph;
import io.trtfleet.tensorrt.EngineArtifact;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An engine that computes a whole signature, so TensorRT (or Triton) can serve it without TensorFlow:
 * one segment fed by exactly the signature's inputs whose outputs are the signature's outputs (directly
 * or through the Identity a signature output node usually is). Each binding is paired with its
 * signature argument: the engine's tensors keep their TensorFlow names ({@code images:0}).
 */
public record FullModelPlan(String model, EngineArtifact engine, List<Binding> inputs, List<Binding> outputs) {

  /** An engine tensor (binding name, dtype, shape as TensorFlow knows it) and its signature key. */
  public record Binding(String signatureKey, TensorSpec tensor) {}

  public FullModelPlan {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  /** The full-model plan, when the graph converted into one engine covering the signature and it was built. */
  public static Optional<FullModelPlan> of(String model, SegmentedGraph segmented, Map<String, EngineArtifact> engines) {
    if (segmented.segments().size() != 1) {
      return Optional.empty();
    }
    Segment s = segmented.segments().get(0);
    EngineArtifact engine = engines.get(s.name());
    if (engine == null) {
      return Optional.empty();
    }
    FrozenGraph graph = segmented.graph();
    Signature sig = graph.signature();
    List<Binding> inputs = new ArrayList<>();
    for (Signature.Argument a : sig.inputs()) {
      Optional<TensorSpec> t = find(s.inputs(), a.ref().tensorName());
      if (t.isEmpty()) {
        return Optional.empty();
      }
      inputs.add(new Binding(a.key(), t.get()));
    }
    List<Binding> outputs = new ArrayList<>();
    Set<String> used = new HashSet<>();
    for (Signature.Argument a : sig.outputs()) {
      Optional<TensorSpec> t = find(s.outputs(), throughIdentity(graph, a.ref()).tensorName());
      if (t.isEmpty()) {
        return Optional.empty();
      }
      used.add(t.get().name());
      outputs.add(new Binding(a.key(), t.get()));
    }
    if (inputs.size() != s.inputs().size() || used.size() != s.outputs().size()) {
      return Optional.empty(); // the engine reads or writes something the signature does not
    }
    return Optional.of(new FullModelPlan(model, engine, inputs, outputs));
  }

  private static TensorRef throughIdentity(FrozenGraph graph, TensorRef ref) {
    TensorRef current = ref;
    while (graph.contains(current.node())) {
      Node n = graph.node(current.node());
      if (!n.op().equals("Identity") || n.dataInputs().size() != 1) {
        break;
      }
      current = n.dataInputs().get(0);
    }
    return current;
  }

  private static Optional<TensorSpec> find(List<TensorSpec> tensors, String name) {
    return tensors.stream().filter(t -> t.name().equals(name)).findFirst();
  }
}
