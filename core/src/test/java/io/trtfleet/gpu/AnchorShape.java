package io.trtfleet.gpu;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.trtfleet.onnx.Half;
import io.trtfleet.onnx.OnnxDataType;
import io.trtfleet.onnx.proto.Onnx.GraphProto;
import io.trtfleet.onnx.proto.Onnx.ModelProto;
import io.trtfleet.onnx.proto.Onnx.NodeProto;
import io.trtfleet.onnx.proto.Onnx.TensorProto;
import io.trtfleet.onnx.proto.Onnx.TensorShapeProto;
import io.trtfleet.onnx.proto.Onnx.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * GPU experiment: gives our converted ResNet-50 the two things its graph has that the torchvision
 * anchor's has not, one at a time, to see which costs speed. {@link #nchwInput} makes the input NCHW
 * (the NHWC-to-NCHW Transpose after it goes; the model then reads NCHW images, as the anchor does) and
 * {@link #logitsOnly} drops the softmax output, leaving the logits, as the anchor returns.
 */
final class AnchorShape {

  private AnchorShape() {}

  static byte[] nchwInput(byte[] model) throws InvalidProtocolBufferException {
    ModelProto m = ModelProto.parseFrom(model);
    GraphProto g = m.getGraph();
    ValueInfoProto input = g.getInput(0);
    // The first Transpose on the input's path (after at most a Cast) is the converter's NHWC-to-NCHW one.
    Map<String, NodeProto> byInput = firstReaders(g);
    NodeProto first = byInput.get(input.getName());
    NodeProto transpose = first.getOpType().equals("Transpose") ? first : byInput.get(first.getOutput(0));
    if (transpose == null || !transpose.getOpType().equals("Transpose")) {
      throw new IllegalStateException("no Transpose after the input " + input.getName());
    }
    GraphProto.Builder out = g.toBuilder().clearNode();
    for (NodeProto n : g.getNodeList()) {
      if (n != transpose) {
        out.addNode(reading(n, transpose.getOutput(0), transpose.getInput(0)));
      }
    }
    TensorShapeProto shape = input.getType().getTensorType().getShape();
    TensorShapeProto nchw = TensorShapeProto.newBuilder()
        .addDim(shape.getDim(0)).addDim(shape.getDim(3)).addDim(shape.getDim(1)).addDim(shape.getDim(2)).build();
    ValueInfoProto.Builder in = input.toBuilder();
    in.getTypeBuilder().getTensorTypeBuilder().setShape(nchw);
    out.setInput(0, in);
    return m.toBuilder().setGraph(out).build().toByteArray();
  }

  /**
   * Experiment for INT8 input bindings (images arriving quantized): the FP32 input becomes INT8, read
   * through a DequantizeLinear with the scale of the first QuantizeLinear on its path (after at most a
   * Cast and a Transpose), so TensorRT can feed conv1 the bytes as they come.
   */
  static byte[] int8Input(byte[] model) throws InvalidProtocolBufferException {
    ModelProto m = ModelProto.parseFrom(model);
    GraphProto g = m.getGraph();
    ValueInfoProto input = g.getInput(0);
    Map<String, NodeProto> byInput = firstReaders(g);
    NodeProto q = byInput.get(input.getName());
    for (int hops = 0; q != null && !q.getOpType().equals("QuantizeLinear") && hops < 2; hops++) {
      q = byInput.get(q.getOutput(0));
    }
    if (q == null || !q.getOpType().equals("QuantizeLinear")) {
      throw new IllegalStateException("no QuantizeLinear within a Cast and a Transpose of the input " + input.getName());
    }
    String scaleName = q.getInput(1);
    TensorProto scale = g.getInitializerList().stream().filter(t -> t.getName().equals(scaleName)).findFirst().orElseThrow();
    float s = scale.getDataType() == OnnxDataType.FLOAT16
        ? Half.toFloat(scale.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getShort())
        : scale.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getFloat();
    String x = input.getName();
    String dq = x + "_int8_dequantized";
    GraphProto.Builder out = g.toBuilder().clearNode();
    out.addInitializer(TensorProto.newBuilder().setName(x + "_int8_scale").setDataType(OnnxDataType.FLOAT)
        .setRawData(ByteString.copyFrom(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, s).array())));
    out.addInitializer(TensorProto.newBuilder().setName(x + "_int8_zero_point").setDataType(OnnxDataType.INT8)
        .setRawData(ByteString.copyFrom(new byte[1])));
    out.addNode(NodeProto.newBuilder().setOpType("DequantizeLinear").setName("n:" + dq).addInput(x)
        .addInput(x + "_int8_scale").addInput(x + "_int8_zero_point").addOutput(dq));
    g.getNodeList().forEach(n -> out.addNode(reading(n, x, dq)));
    ValueInfoProto.Builder in = input.toBuilder();
    in.getTypeBuilder().getTensorTypeBuilder().setElemType(OnnxDataType.INT8);
    out.setInput(0, in);
    return m.toBuilder().setGraph(out).build().toByteArray();
  }

  /** The first node (in graph order) reading each value. */
  private static Map<String, NodeProto> firstReaders(GraphProto g) {
    Map<String, NodeProto> byInput = new HashMap<>();
    g.getNodeList().forEach(n -> n.getInputList().forEach(i -> byInput.putIfAbsent(i, n)));
    return byInput;
  }

  /** {@code n} reading {@code to} wherever it read {@code from}. */
  private static NodeProto reading(NodeProto n, String from, String to) {
    NodeProto.Builder b = n.toBuilder();
    for (int i = 0; i < n.getInputCount(); i++) {
      if (n.getInput(i).equals(from)) {
        b.setInput(i, to);
      }
    }
    return b.build();
  }

  /** Keeps the outputs whose name starts with {@code prefix} and the nodes they need. */
  static byte[] logitsOnly(byte[] model, String prefix) throws InvalidProtocolBufferException {
    ModelProto m = ModelProto.parseFrom(model);
    GraphProto g = m.getGraph();
    GraphProto.Builder out = g.toBuilder().clearOutput().clearNode();
    Set<String> needed = new HashSet<>();
    for (ValueInfoProto o : g.getOutputList()) {
      if (o.getName().startsWith(prefix)) {
        out.addOutput(o);
        needed.add(o.getName());
      }
    }
    if (needed.isEmpty()) {
      throw new IllegalStateException("no output named " + prefix + "*");
    }
    List<NodeProto> kept = new ArrayList<>();
    List<NodeProto> nodes = g.getNodeList();
    for (int i = nodes.size() - 1; i >= 0; i--) {
      NodeProto n = nodes.get(i);
      if (n.getOutputList().stream().anyMatch(needed::contains)) {
        kept.add(0, n);
        needed.addAll(n.getInputList());
      }
    }
    out.addAllNode(kept);
    return m.toBuilder().setGraph(out).build().toByteArray();
  }
}
