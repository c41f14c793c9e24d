package io.trtfleet.pipeline;

import ai.onnxruntime.OrtEnvironment;
import io.trtfleet.Precision;
import io.trtfleet.convert.ConvertedSegment;
import io.trtfleet.graph.ModelRunner;
import io.trtfleet.onnx.OnnxRunner;
import io.trtfleet.tensorrt.EngineBenchmark;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The CPU backend: the strongly typed ONNX of each segment is the artifact (for ONNX Runtime serving, or
 * for TF-TRT to build engines from at load time), run and validated with ONNX Runtime. Stored under
 * device key {@code cpu} and backend {@code onnxruntime-<version>}, never under a GPU's key.
 */
public final class OnnxRuntimeBackend implements SegmentBackend {

  public static final String DEVICE_KEY = "cpu";
  public static final String NAME = "onnxruntime";

  private final int threads;

  /** @param threads ONNX Runtime intra-op threads; 0 lets it choose */
  public OnnxRuntimeBackend(int threads) {
    this.threads = threads;
  }

  /** {@code onnxruntime-1.23.2}: the ONNX Runtime this JVM loads. */
  public static String versionKey() {
    return NAME + "-" + OrtEnvironment.getEnvironment().getVersion();
  }

  @Override
  public String key() {
    return versionKey();
  }

  @Override
  public String deviceKey() {
    return DEVICE_KEY;
  }

  @Override
  public String description() {
    return "ONNX Runtime " + OrtEnvironment.getEnvironment().getVersion() + " on CPU (no TensorRT engines)";
  }

  @Override
  public Optional<Device> device() {
    return Optional.empty();
  }

  @Override
  public BuiltSegment build(ConvertedSegment segment, Precision precision, Path dir) {
    return new BuiltSegment(segment, Optional.empty(), List.of(), 0);
  }

  @Override
  public ModelRunner open(BuiltSegment built) {
    return new OnnxRunner(built.converted().onnx(), threads);
  }

  @Override
  public Optional<EngineBenchmark> benchmark(BuiltSegment built, List<Integer> batchSizes, int iterations) {
    return Optional.empty();  // CPU timings say nothing about a GPU fleet; validation runs every segment anyway
  }
}
