package io.trtfleet.gpu;

import com.google.protobuf.InvalidProtocolBufferException;
import io.trtfleet.onnx.proto.Onnx.GraphProto;
import io.trtfleet.onnx.proto.Onnx.ModelProto;
import io.trtfleet.onnx.proto.Onnx.NodeProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * GPU experiment: where the Q/DQ of a max pool's output sits, to see which placement lets TensorRT fuse
 * conv1 + ReLU + max pool into one kernel under explicit quantization (its implicit INT8 does). Max and
 * quantization commute (both monotone), so each rewrite computes what the original does.
 * {@link #inputToo} adds a Q/DQ with the same scale on the pool's input; {@link #inputOnly} moves it
 * there, and the pool's readers read the pool directly.
 */
final class PoolQdq {

  private PoolQdq() {}

  static byte[] inputToo(byte[] model) throws InvalidProtocolBufferException {
    return rewrite(model, false);
  }

  static byte[] inputOnly(byte[] model) throws InvalidProtocolBufferException {
    return rewrite(model, true);
  }

  private static byte[] rewrite(byte[] model, boolean move) throws InvalidProtocolBufferException {
    ModelProto m = ModelProto.parseFrom(model);
    GraphProto g = m.getGraph();
    Map<String, List<NodeProto>> readers = new HashMap<>();
    g.getNodeList().forEach(n -> n.getInputList().forEach(i -> readers.computeIfAbsent(i, k -> new ArrayList<>()).add(n)));
    // Each pool whose only reader is a QuantizeLinear read only by its DequantizeLinear: that Q.
    Map<NodeProto, NodeProto> outputQ = new HashMap<>();
    Set<NodeProto> dropped = new HashSet<>();
    Map<String, String> rewired = new HashMap<>();
    for (NodeProto n : g.getNodeList()) {
      NodeProto q = only(readers, n.getOutput(0), "QuantizeLinear");
      NodeProto dq = q == null ? null : only(readers, q.getOutput(0), "DequantizeLinear");
      if (n.getOpType().equals("MaxPool") && dq != null) {
        outputQ.put(n, q);
        if (move) {
          dropped.add(q);
          dropped.add(dq);
          rewired.put(dq.getOutput(0), n.getOutput(0));
        }
      }
    }
    if (outputQ.isEmpty()) {
      throw new IllegalStateException("no MaxPool whose output is read by one QuantizeLinear and its DequantizeLinear");
    }
    GraphProto.Builder out = g.toBuilder().clearNode();
    for (NodeProto n : g.getNodeList()) {
      if (dropped.contains(n)) {
        continue;
      }
      NodeProto.Builder b = n.toBuilder();
      NodeProto q = outputQ.get(n);
      if (q != null) {
        String x = n.getInput(0);
        out.addNode(NodeProto.newBuilder().setOpType("QuantizeLinear").setName("n:" + x + "_pool_quantized").addInput(x)
            .addInput(q.getInput(1)).addInput(q.getInput(2)).addOutput(x + "_pool_quantized"));
        out.addNode(NodeProto.newBuilder().setOpType("DequantizeLinear").setName("n:" + x + "_pool_dequantized")
            .addInput(x + "_pool_quantized").addInput(q.getInput(1)).addInput(q.getInput(2)).addOutput(x + "_pool_dequantized"));
        b.setInput(0, x + "_pool_dequantized");
      }
      for (int i = 0; i < n.getInputCount(); i++) {
        if (rewired.containsKey(n.getInput(i))) {
          b.setInput(i, rewired.get(n.getInput(i)));
        }
      }
      out.addNode(b);
    }
    return m.toBuilder().setGraph(out).build().toByteArray();
  }

  /** The one reader of {@code value}, if there is exactly one and it is an {@code opType}; else null. */
  private static NodeProto only(Map<String, List<NodeProto>> readers, String value, String opType) {
    List<NodeProto> r = readers.getOrDefault(value, List.of());
    return r.size() == 1 && r.get(0).getOpType().equals(opType) ? r.get(0) : null;
  }
}
