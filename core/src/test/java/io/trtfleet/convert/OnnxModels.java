package io.trtfleet.convert;

import com.google.protobuf.InvalidProtocolBufferException;
import io.trtfleet.onnx.proto.Onnx.GraphProto;
import io.trtfleet.onnx.proto.Onnx.ModelProto;
import io.trtfleet.onnx.proto.Onnx.NodeProto;
import io.trtfleet.onnx.proto.Onnx.TensorProto;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads back emitted ONNX models to assert on their structure. */
final class OnnxModels {

  final GraphProto graph;
  final Map<String, NodeProto> producers = new HashMap<>();
  final Map<String, TensorProto> initializers = new HashMap<>();

  OnnxModels(byte[] bytes) {
    try {
      this.graph = ModelProto.parseFrom(bytes).getGraph();
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("not an ONNX model", e);
    }
    for (NodeProto n : graph.getNodeList()) {
      n.getOutputList().forEach(o -> producers.put(o, n));
    }
    graph.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
  }

  List<NodeProto> nodes(String opType) {
    return graph.getNodeList().stream().filter(n -> n.getOpType().equals(opType)).toList();
  }

  long count(String opType) {
    return nodes(opType).size();
  }

  Optional<NodeProto> producer(String value) {
    return Optional.ofNullable(producers.get(value));
  }

  /** The op type producing {@code value}, "initializer", or "input". */
  String producerType(String value) {
    if (initializers.containsKey(value)) {
      return "initializer";
    }
    return producer(value).map(NodeProto::getOpType).orElse("input");
  }

  static long intAttr(NodeProto n, String name, long fallback) {
    return n.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst()
        .map(a -> a.getI()).orElse(fallback);
  }
}
