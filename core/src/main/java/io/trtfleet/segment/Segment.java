package io.trtfleet.segment;

import io.trtfleet.graph.TensorSpec;
import java.util.List;

/**
 * One TensorRT-compatible subgraph of a frozen graph: its stable name ({@code TRTEngineOp_<seq>_<idx>}),
 * its nodes in topological order, and the tensors that cross its boundary (graph tensor names such as
 * {@code conv1/Relu:0}, with dtype and static shape) in a deterministic order.
 *
 * <p>{@code nodes} also holds the Consts outside the segment that it reads (TF-TRT copies them into the
 * engine; {@link SegmentedGraph#copiedConstants} names them), so a converter finds every weight among
 * the nodes; {@code inputs} are the tensors computed at run time only. Built by {@link Segmenter}.
 */
public record Segment(String name, List<String> nodes, List<TensorSpec> inputs, List<TensorSpec> outputs) {

  public Segment {
    nodes = List.copyOf(nodes);
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }
}
