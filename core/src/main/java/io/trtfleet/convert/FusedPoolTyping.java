package io.trtfleet.convert;

import io.trtfleet.onnx.proto.Onnx.NodeProto;
import java.util.ArrayList;
import java.util.List;
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

  /** Marks each chain's changes in {@code t}; returns the convolutions whose chains it types FP32. */
  static List<String> mark(Fp32Retyping t) {
    List<String> convolutions = new ArrayList<>();
    for (NodeProto pool : t.nodes()) {
      if (!pool.getOpType().equals("MaxPool")) {
        continue;
      }
      NodeProto act = t.soleProducer(pool.getInput(0));
      NodeProto conv = act != null && ACTIVATIONS.contains(act.getOpType()) ? t.soleProducer(act.getInput(0)) : null;
      NodeProto q = t.onlyReader(pool.getOutput(0), "QuantizeLinear");
      if (conv == null || q == null || !t.half(q.getInput(1)) || !t.quantizedHalfConvolution(conv)) {
        continue;
      }
      t.widenConvolution(conv);
      t.widen(q, 1);
      convolutions.add(conv.getName());
    }
    return List.copyOf(convolutions);
  }
}
