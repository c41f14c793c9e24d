package io.trtfleet.fleet;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * Builds one target on the GPU it was given and measures it on the validation batches. Implementations:
 * {@link OnnxCpuBuilder} (ONNX Runtime on CPU, no TensorRT build: tests and GPU-less runs) and
 * {@link TensorRtTargetBuilder} (TensorRT engines on the pool's GPU).
 */
public interface TargetBuilder extends Serializable {

  /**
   * @param out an empty folder for the files to publish (engine or ONNX, reports)
   * @return the result with status BUILT; the caller applies the gate, publishes and records the worker
   * @throws RuntimeException when the target cannot be built (the caller records it as FAILED)
   */
  TargetResult build(Target target, ModelInputs inputs, GpuAssignment gpu, Path out);
}
