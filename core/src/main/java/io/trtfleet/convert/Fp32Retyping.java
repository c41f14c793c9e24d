package io.trtfleet.convert;

import io.trtfleet.onnx.Half;
import io.trtfleet.onnx.OnnxDataType;
import io.trtfleet.onnx.proto.Onnx.GraphProto;
import io.trtfleet.onnx.proto.Onnx.ModelProto;
import io.trtfleet.onnx.proto.Onnx.NodeProto;
import io.trtfleet.onnx.proto.Onnx.TensorProto;
import io.trtfleet.onnx.proto.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Retypes parts of a model that is FP16 between layers to FP32: chosen node inputs read FP32 copies of their
 * FP16 initializers (scales, biases) and chosen nodes are replaced. The rules that choose ({@link
 * FusedPoolTyping}, {@link FloatOutputTyping}) look at the model through this class's indexes, and all
 * their changes are applied at once. FP16 values widen to FP32 exactly; the FP16 originals that no node reads
 * any more go, so the model carries each value once.
 */
final class Fp32Retyping {

  private final ModelProto model;
  private final Map<String, List<NodeProto>> readers = new HashMap<>();
  private final Map<String, NodeProto> producer = new HashMap<>();
  private final Map<String, TensorProto> initializers = new HashMap<>();
  private final Set<String> inputs = new HashSet<>();
  private final Set<String> outputs = new HashSet<>();
  /** node name -> (input index -> FP16 initializer to read as FP32) */
  private final Map<String, Map<Integer, String>> widened = new LinkedHashMap<>();
  private final Map<String, NodeProto> replaced = new HashMap<>();

  Fp32Retyping(ModelProto model) {
    this.model = model;
    GraphProto g = model.getGraph();
    for (NodeProto n : g.getNodeList()) {
      n.getInputList().forEach(i -> readers.computeIfAbsent(i, k -> new ArrayList<>()).add(n));
      n.getOutputList().forEach(o -> producer.put(o, n));
    }
    g.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
    g.getInputList().stream().map(ValueInfoProto::getName).forEach(inputs::add);
    g.getOutputList().stream().map(ValueInfoProto::getName).forEach(outputs::add);
  }

  List<NodeProto> nodes() {
    return model.getGraph().getNodeList();
  }

  /** The node writing {@code value}, or null for an input or initializer. */
  NodeProto producer(String value) {
    return producer.get(value);
  }

  List<NodeProto> readers(String value) {
    return readers.getOrDefault(value, List.of());
  }

  boolean graphOutput(String value) {
    return outputs.contains(value);
  }

  /** The node producing {@code value} when {@code value} has exactly one reader. */
  NodeProto soleProducer(String value) {
    return readers(value).size() == 1 ? producer(value) : null;
  }

  /** The only reader of {@code value} when it is an {@code opType}, else null. */
  NodeProto onlyReader(String value, String opType) {
    List<NodeProto> r = readers(value);
    return r.size() == 1 && r.get(0).getOpType().equals(opType) ? r.get(0) : null;
  }

  /** An FP16 initializer with raw data (what the converter writes). */
  boolean half(String name) {
    TensorProto t = initializers.get(name);
    return t != null && t.getDataType() == OnnxDataType.FLOAT16 && t.hasRawData();
  }

  /** A DequantizeLinear with an FP16 scale whose only reader is {@code reader} (so widening it changes nothing else). */
  boolean dequantizesHalfFor(NodeProto dq, NodeProto reader) {
    return dq != null && dq.getOpType().equals("DequantizeLinear") && half(dq.getInput(1))
        && readers(dq.getOutput(0)).equals(List.of(reader));
  }

  /**
   * A convolution whose input and weights come from DequantizeLinears with FP16 scales that only it reads, and
   * whose bias (if any) is an FP16 initializer: the INT8 convolution {@link #widenConvolution} can type FP32.
   */
  boolean quantizedHalfConvolution(NodeProto conv) {
    return conv.getOpType().equals("Conv") && conv.getInputCount() >= 2
        && dequantizesHalfFor(producer(conv.getInput(0)), conv) && dequantizesHalfFor(producer(conv.getInput(1)), conv)
        && (conv.getInputCount() < 3 || half(conv.getInput(2)));
  }

  /** The convolution's DequantizeLinears and bias read FP32: it computes and writes FP32. */
  void widenConvolution(NodeProto conv) {
    widen(producer(conv.getInput(0)), 1);
    widen(producer(conv.getInput(1)), 1);
    if (conv.getInputCount() > 2) {
      widen(conv, 2);
    }
  }

  /** {@code node}'s input {@code index} (an FP16 initializer) is read as FP32. */
  void widen(NodeProto node, int index) {
    widened.computeIfAbsent(node.getName(), k -> new HashMap<>()).put(index, node.getInput(index));
  }

  /** {@code node} becomes {@code replacement} (same place in the graph). */
  void replace(NodeProto node, NodeProto replacement) {
    replaced.put(node.getName(), replacement);
  }

  /** {@code base}, or {@code base_1}, {@code base_2}... where the model already has a value of that name. */
  private String freeName(String base) {
    String name = base;
    for (int i = 1; initializers.containsKey(name) || producer.containsKey(name) || inputs.contains(name); i++) {
      name = base + "_" + i;
    }
    return name;
  }

  /** The model with every change applied (the same model when nothing changed). */
  ModelProto apply() {
    if (widened.isEmpty() && replaced.isEmpty()) {
      return model;
    }
    GraphProto g = model.getGraph();
    GraphProto.Builder out = g.toBuilder().clearNode();
    Map<String, String> copies = new HashMap<>(); // FP16 original -> its FP32 copy
    for (NodeProto n : g.getNodeList()) {
      NodeProto.Builder b = replaced.getOrDefault(n.getName(), n).toBuilder();
      widened.getOrDefault(n.getName(), Map.of()).forEach((index, half) -> b.setInput(index,
          copies.computeIfAbsent(half, h -> {
            String name = freeName(h + "_fp32");
            out.addInitializer(Half.widened(initializers.get(h), name));
            return name;
          })));
      out.addNode(b);
    }
    Set<String> read = new HashSet<>();
    out.getNodeList().forEach(n -> read.addAll(n.getInputList()));
    List<TensorProto> kept = out.getInitializerList().stream()
        .filter(t -> read.contains(t.getName()) || !copies.containsKey(t.getName())).toList();
    out.clearInitializer().addAllInitializer(kept);
    return model.toBuilder().setGraph(out).build();
  }
}
