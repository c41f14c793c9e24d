package io.trtfleet.convert;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.Signature;
import io.trtfleet.segment.Segment;
import java.util.List;

/**
 * The segment that covers a whole signature: every node except Placeholders and unread constants,
 * the signature's inputs and outputs as its boundary. Used by export-onnx/verify for models that
 * convert fully, and until the segmenter proposes finer segments.
 */
public final class WholeGraphSegment {

  public static final String NAME = "TRTEngineOp_000_000";

  private WholeGraphSegment() {}

  public static Segment of(FrozenGraph graph) {
    List<String> nodes = graph.nodes().stream()
        .filter(n -> !n.op().equals("Placeholder") && !n.op().equals("PlaceholderWithDefault"))
        .filter(n -> !n.op().equals("Const") || !graph.consumers(n.name()).isEmpty())
        .map(Node::name).toList();
    Signature sig = graph.signature();
    return new Segment(NAME, nodes, sig.inputs().stream().map(Signature.Argument::tensor).toList(),
        sig.outputs().stream().map(Signature.Argument::tensor).toList());
  }
}
