package io.trtfleet.convert;

import io.trtfleet.onnx.Half;
import io.trtfleet.onnx.OnnxDataType;
import io.trtfleet.onnx.proto.Onnx.GraphProto;
import io.trtfleet.onnx.proto.Onnx.ModelProto;
import io.trtfleet.onnx.proto.Onnx.NodeProto;
import io.trtfleet.onnx.proto.Onnx.TensorProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Types each quantized convolution -> activation -> max pool chain FP32 in a model that is FP16 between
 * layers: the convolution's DequantizeLinears, its bias and the pool's QuantizeLinear get FP32 copies of
 * their FP16 scales and bias. TensorRT fuses such a chain into one INT8 kernel (conv + ReLU + max pool,
 * {@code CaskConvActPool}, as its implicit INT8 does for ResNet's stem) only when the chain is FP32-typed
 * in a strongly typed network; typed FP16 it runs the pool as a second kernel over the convolution's full
 * output. Nothing runs in FP32 on the GPU: the fused kernel reads and writes INT8. The pool's
 * DequantizeLinear keeps its FP16 scale, so its readers see FP16 as before. FP16 values widen to FP32
 * exactly, so the chain computes what it did, with FP32 instead of FP16 rounding inside it.
 */
final class FusedPoolTyping {

  /** Activations TensorRT fuses between a convolution and a pooling layer (one input: nothing else to retype). */
  private static final Set<String> ACTIVATIONS = Set.of("Relu", "LeakyRelu");

  private FusedPoolTyping() {}

  /** The rewritten model and the convolutions whose chains it typed FP32 (none: the same model). */
  record Result(ModelProto model, List<String> convolutions) {}

  static Result apply(ModelProto model) {
    GraphProto g = model.getGraph();
    Map<String, List<NodeProto>> readers = new HashMap<>();
    Map<String, NodeProto> producer = new HashMap<>();
    for (NodeProto n : g.getNodeList()) {
      n.getInputList().forEach(i -> readers.computeIfAbsent(i, k -> new ArrayList<>()).add(n));
      n.getOutputList().forEach(o -> producer.put(o, n));
    }
    Map<String, TensorProto> initializers = new HashMap<>();
    g.getInitializerList().forEach(t -> initializers.put(t.getName(), t));

    // node name -> (input index -> FP16 initializer to read as FP32)
    Map<String, Map<Integer, String>> widened = new LinkedHashMap<>();
    List<String> convolutions = new ArrayList<>();
    for (NodeProto pool : g.getNodeList()) {
      if (!pool.getOpType().equals("MaxPool")) {
        continue;
      }
      NodeProto act = soleProducer(pool.getInput(0), producer, readers);
      NodeProto conv = act != null && ACTIVATIONS.contains(act.getOpType()) ? soleProducer(act.getInput(0), producer, readers)
          : null;
      NodeProto q = onlyReader(pool.getOutput(0), readers, "QuantizeLinear");
      if (conv == null || !conv.getOpType().equals("Conv") || q == null || !half(q.getInput(1), initializers)) {
        continue;
      }
      NodeProto x = producer.get(conv.getInput(0));
      NodeProto w = producer.get(conv.getInput(1));
      if (!dequantizesHalf(x, initializers, readers, conv) || !dequantizesHalf(w, initializers, readers, conv)
          || conv.getInputCount() > 2 && !half(conv.getInput(2), initializers)) {
        continue;
      }
      widened.computeIfAbsent(x.getName(), k -> new HashMap<>()).put(1, x.getInput(1));
      widened.computeIfAbsent(w.getName(), k -> new HashMap<>()).put(1, w.getInput(1));
      if (conv.getInputCount() > 2) {
        widened.computeIfAbsent(conv.getName(), k -> new HashMap<>()).put(2, conv.getInput(2));
      }
      widened.computeIfAbsent(q.getName(), k -> new HashMap<>()).put(1, q.getInput(1));
      convolutions.add(conv.getName());
    }
    if (convolutions.isEmpty()) {
      return new Result(model, List.of());
    }
    GraphProto.Builder out = g.toBuilder().clearNode();
    Set<String> added = new HashSet<>();
    for (NodeProto n : g.getNodeList()) {
      Map<Integer, String> inputs = widened.get(n.getName());
      if (inputs == null) {
        out.addNode(n);
        continue;
      }
      NodeProto.Builder b = n.toBuilder();
      inputs.forEach((index, half) -> {
        String name = half + "_fp32";
        if (added.add(name)) {
          out.addInitializer(Half.widened(initializers.get(half), name));
        }
        b.setInput(index, name);
      });
      out.addNode(b);
    }
    // The FP16 originals no node reads any more go, so the model carries each value once.
    Set<String> read = new HashSet<>();
    out.getNodeList().forEach(n -> read.addAll(n.getInputList()));
    List<TensorProto> kept = out.getInitializerList().stream().filter(t -> read.contains(t.getName())
        || widened.values().stream().noneMatch(m -> m.containsValue(t.getName()))).toList();
    out.clearInitializer().addAllInitializer(kept);
    return new Result(model.toBuilder().setGraph(out).build(), List.copyOf(convolutions));
  }

  /** The node producing {@code value} when {@code value} has exactly one reader. */
  private static NodeProto soleProducer(String value, Map<String, NodeProto> producer, Map<String, List<NodeProto>> readers) {
    return readers.getOrDefault(value, List.of()).size() == 1 ? producer.get(value) : null;
  }

  private static NodeProto onlyReader(String value, Map<String, List<NodeProto>> readers, String opType) {
    List<NodeProto> r = readers.getOrDefault(value, List.of());
    return r.size() == 1 && r.get(0).getOpType().equals(opType) ? r.get(0) : null;
  }

  /** A DequantizeLinear with an FP16 scale whose only reader is {@code conv} (so widening it changes nothing else). */
  private static boolean dequantizesHalf(NodeProto dq, Map<String, TensorProto> initializers,
      Map<String, List<NodeProto>> readers, NodeProto conv) {
    return dq != null && dq.getOpType().equals("DequantizeLinear") && half(dq.getInput(1), initializers)
        && readers.get(dq.getOutput(0)).equals(List.of(conv));
  }

  private static boolean half(String name, Map<String, TensorProto> initializers) {
    TensorProto t = initializers.get(name);
    return t != null && t.getDataType() == OnnxDataType.FLOAT16 && t.hasRawData();
  }
}
