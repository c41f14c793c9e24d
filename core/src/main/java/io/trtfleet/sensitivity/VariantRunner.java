package io.trtfleet.sensitivity;

import io.trtfleet.convert.ConvertedSegment;
import io.trtfleet.graph.ModelRunner;
import io.trtfleet.onnx.OnnxRunner;

/**
 * What runs one variant of a segment (its conversion with some tensors kept in float): ONNX Runtime on the
 * CPU ({@link #onnxRuntime}), or an engine the build's backend makes of it ({@code pipeline.BackendVariantRunner}:
 * TensorRT on a GPU). The sensitivity analysis closes what it opens.
 */
public interface VariantRunner {

  ModelRunner open(ConvertedSegment variant);

  /** What runs the variants, as the report says it: {@code ONNX Runtime on the CPU}, {@code TensorRT 10.6.0 on NVIDIA H200}. */
  String description();

  /** ONNX Runtime on the CPU with {@code threads} intra-op threads (0: its choice). */
  static VariantRunner onnxRuntime(int threads) {
    return new VariantRunner() {
      @Override
      public ModelRunner open(ConvertedSegment variant) {
        return new OnnxRunner(variant.onnx(), threads);
      }

      @Override
      public String description() {
        return "ONNX Runtime on the CPU";
      }
    };
  }
}
