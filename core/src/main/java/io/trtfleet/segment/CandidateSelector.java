package io.trtfleet.segment;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.Signature;
import io.trtfleet.graph.Tf1ControlFlow;
import io.trtfleet.importer.OpRegistry;
import java.util.HashSet;
import java.util.Set;

/**
 * Step 1 of segmentation: which nodes may go into a TensorRT segment, and why the others may not.
 * Signature inputs and outputs, TRTEngineOps of an earlier conversion and denylisted ops never do; the
 * rest is up to {@link OpSupport}.
 */
final class CandidateSelector {

  static final String SIGNATURE_INPUT = "signature input (stays in TensorFlow, feeds the engines)";
  static final String SIGNATURE_OUTPUT = "signature output (never part of a segment)";
  static final String ALREADY_CONVERTED = "already converted (a TF-TRT engine, kept as is)";
  static final String DISABLED = "conversion disabled (minimum_segment_size -1)";
  static final String TF1_FRAME = "inside TF1 control flow (a graph-mode loop or cond runs in TensorFlow)";

  /** Per node: null for a candidate, else the reason; and whether it is a Const engines may copy. */
  record Result(String[] reason, boolean[] copyableConst) {
    boolean candidate(int i) {
      return reason[i] == null;
    }
  }

  private CandidateSelector() {}

  static Result select(IndexedGraph g, SegmenterOptions options) {
    Set<String> inputs = new HashSet<>();
    Set<String> outputs = new HashSet<>();
    Signature sig = g.graph().signature();
    sig.inputs().forEach(a -> inputs.add(a.ref().node()));
    sig.outputs().forEach(a -> outputs.add(a.ref().node()));
    ValidationContext ctx = new ValidationContext(g.graph(), options.precision(), options.shapes());
    Set<String> frames = Tf1ControlFlow.frameNodes(g.graph().nodes().stream().map(Node::def).toList());
    String[] reason = new String[g.size()];
    boolean[] copyableConst = new boolean[g.size()];
    for (int i = 0; i < g.size(); i++) {
      Node node = g.node(i);
      if (inputs.contains(node.name())) {
        reason[i] = SIGNATURE_INPUT;
      } else if (outputs.contains(node.name())) {
        reason[i] = SIGNATURE_OUTPUT;
      } else if (node.op().equals(OpRegistry.TRT_ENGINE_OP)) {
        reason[i] = ALREADY_CONVERTED;
      } else if (frames.contains(node.name())) {
        reason[i] = TF1_FRAME;
      } else if (options.conversionDisabled()) {
        reason[i] = DISABLED;
      } else if (options.denylist().contains(node.op())) {
        reason[i] = node.op() + ": in the op denylist";
      } else {
        reason[i] = OpSupport.get().check(node, ctx).orElse(null);
      }
      copyableConst[i] = node.op().equals("Const") && !options.denylist().contains("Const")
          && (reason[i] == null || OpSupport.get().check(node, ctx).isEmpty());
    }
    return new Result(reason, copyableConst);
  }
}
