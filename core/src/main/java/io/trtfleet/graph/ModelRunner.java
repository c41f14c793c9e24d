package io.trtfleet.graph;

import java.util.Map;

/**
 * Runs a converted segment: ONNX Runtime on the CPU ({@code onnx.OnnxRunner}) or a TensorRT engine on a
 * GPU ({@code build.EngineRunner}). Tensors are keyed by the segment's boundary tensor names
 * ({@code images:0}), in TensorFlow's layout.
 */
public interface ModelRunner extends AutoCloseable {

  Map<String, HostTensor> run(Map<String, HostTensor> feeds);

  @Override
  void close();
}
