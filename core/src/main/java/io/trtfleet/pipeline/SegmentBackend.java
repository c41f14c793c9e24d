package io.trtfleet.pipeline;

import io.trtfleet.Precision;
import io.trtfleet.convert.ConvertedSegment;
import io.trtfleet.graph.ModelRunner;
import io.trtfleet.tensorrt.EngineBenchmark;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What turns a converted segment into the thing that serves it, and runs it: TensorRT engines on a GPU
 * ({@link TensorRtBackend}), or the ONNX model itself on the CPU ({@link OnnxRuntimeBackend}). Its key
 * and device key name the store folder an artifact goes to, so a key always says what produced it.
 */
public interface SegmentBackend {

  /** {@code trt-10.6.0} or {@code onnxruntime-1.23.2}: the backend and the version actually loaded. */
  String key();

  /** {@code h200.sm90}, or {@code cpu}. */
  String deviceKey();

  /** For people: {@code TensorRT 10.6.0 on NVIDIA H200}. */
  String description();

  /** The GPU's name, compute capability and driver, for manifests; empty on the CPU. */
  Optional<Device> device();

  /** Why this backend cannot build {@code precision} at all, in one line; empty when it can. */
  default Optional<String> refusal(Precision precision) {
    return Optional.empty();
  }

  /** Builds what serves the segment and writes its files under {@code dir}. */
  BuiltSegment build(ConvertedSegment segment, Precision precision, Path dir) throws SegmentBuildException;

  /** Runs a built segment on tensors keyed by the segment's boundary names. */
  ModelRunner open(BuiltSegment built);

  /** Latency and throughput at these batch sizes, when this backend times what it built. */
  Optional<EngineBenchmark> benchmark(BuiltSegment built, List<Integer> batchSizes, int iterations);

  /** The GPU a backend builds for, as manifests record it. */
  record Device(String gpuName, String computeCapability, String driverVersion) {}

  /** A segment whose build failed: it runs in TensorFlow instead, and the target is not published. */
  final class SegmentBuildException extends Exception {
    public SegmentBuildException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
