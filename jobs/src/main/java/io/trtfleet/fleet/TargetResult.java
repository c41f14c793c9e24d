package io.trtfleet.fleet;

import java.io.Serializable;
import java.util.Objects;

/**
 * What became of one target in a run: its status and, when it was built (now or in an earlier run),
 * what the build measured. Doubles are NaN when not measured.
 *
 * @param backend how it was built and measured ("ONNX Runtime on CPU, no TensorRT build", "TensorRT 10.6.0")
 * @param opsConvertedPercent share of the graph's nodes inside converted segments
 * @param referenceTop1 TensorFlow FP32 top-1 accuracy on the validation samples
 * @param top1 the target's top-1 accuracy on the same samples
 * @param throughput samples per second of the built artifact on the validation batches
 * @param worker where the build task ran: executor id, host, GPU resource and address
 */
public record TargetResult(String model, String pool, String trtVersion, String deviceKey, String precision,
    String contentDigest, Status status, String backend, int engines, double opsConvertedPercent,
    double referenceTop1, double top1, double throughput, double buildSeconds, Worker worker, String message)
    implements Serializable {

  public enum Status {
    /** Built and published in this run. */
    BUILT,
    /** Already published with the same key: nothing to do. */
    SKIPPED,
    /** Built, but its accuracy drop exceeds the model's gate: not published. */
    GATE_FAILED,
    /** The build failed (message says why). */
    FAILED;

    public boolean failed() {
      return this == GATE_FAILED || this == FAILED;
    }
  }

  /** Where a build task ran (what the standalone test asserts on). */
  public record Worker(String executorId, String host, String resource, String gpuAddress, String gpuName)
      implements Serializable {}

  public TargetResult {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(status, "status");
    message = message == null ? "" : message;
    backend = backend == null ? "" : backend;
  }

  /** Top-1 change against TensorFlow FP32 (negative = worse), NaN when not measured. */
  public double accuracyDelta() {
    return top1 - referenceTop1;
  }

  public static TargetResult failed(Target t, Worker worker, String message) {
    return new TargetResult(t.model().name(), t.pool().name(), t.pool().tensorRtKey(), t.pool().deviceKey(),
        t.precision().name(), t.key().contentDigest(), Status.FAILED, "", 0, Double.NaN, Double.NaN, Double.NaN,
        Double.NaN, Double.NaN, worker, message);
  }

  public TargetResult withStatus(Status s, String why) {
    return new TargetResult(model, pool, trtVersion, deviceKey, precision, contentDigest, s, backend, engines,
        opsConvertedPercent, referenceTop1, top1, throughput, buildSeconds, worker, why);
  }

  public TargetResult withWorker(Worker w) {
    return new TargetResult(model, pool, trtVersion, deviceKey, precision, contentDigest, status, backend, engines,
        opsConvertedPercent, referenceTop1, top1, throughput, buildSeconds, w, message);
  }
}
