package io.trtfleet.sensitivity;

import io.trtfleet.convert.ConvertedSegment;
import io.trtfleet.graph.ModelRunner;
import io.trtfleet.onnx.OnnxRunner;

/**
 * What runs one variant of a segment (its conversion with some tensors kept in float): ONNX Runtime on the
 * CPU ({@link #onnxRuntime}), or an engine the build's backend makes of it ({@code pipeline.BackendVariantRunner}:
 * TensorRT on a GPU). The sensitivity analysis closes what it opens.
 */
@FunctionalInterface
public interface VariantRunner {

  ModelRunner open(ConvertedSegment variant);

  /** ONNX Runtime on the CPU with {@code threads} intra-op threads (0: its choice). */
  static VariantRunner onnxRuntime(int threads) {
    return variant -> new OnnxRunner(variant.onnx(), threads);
  }
}
