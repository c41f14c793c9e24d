package io.trtfleet.gpu;

import com.google.protobuf.InvalidProtocolBufferException;
import io.trtfleet.onnx.proto.Onnx.GraphProto;
import io.trtfleet.onnx.proto.Onnx.ModelProto;
import io.trtfleet.onnx.proto.Onnx.NodeProto;
import io.trtfleet.onnx.proto.Onnx.TensorProto;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * GPU experiment: passes each Conv's bias initializer through an Identity node, so that TensorRT's ONNX
 * parser hands the convolution its bias as a tensor (a Constant layer) instead of as weights. That is
 * how the torchvision anchor's biases arrive (its layer list shows {@code HasDynamicBias: 1}), and the
 * question is whether it changes TensorRT's kernel choice for 1x1 convolutions.
 */
final class BiasAsTensor {

  private BiasAsTensor() {}

  static byte[] apply(byte[] model) throws InvalidProtocolBufferException {
    ModelProto m = ModelProto.parseFrom(model);
    GraphProto g = m.getGraph();
    Set<String> initializers = g.getInitializerList().stream().map(TensorProto::getName).collect(Collectors.toSet());
    GraphProto.Builder out = g.toBuilder().clearNode();
    int rewritten = 0;
    for (NodeProto n : g.getNodeList()) {
      if (n.getOpType().equals("Conv") && n.getInputCount() == 3 && initializers.contains(n.getInput(2))) {
        String bias = n.getInput(2) + "__tensor";
        out.addNode(NodeProto.newBuilder().setOpType("Identity").setName("identity:" + bias)
            .addInput(n.getInput(2)).addOutput(bias));
        out.addNode(n.toBuilder().setInput(2, bias));
        rewritten++;
      } else {
        out.addNode(n);
      }
    }
    if (rewritten == 0) {
      throw new IllegalStateException("no Conv with an initializer bias to rewrite");
    }
    return m.toBuilder().setGraph(out).build().toByteArray();
  }
}
