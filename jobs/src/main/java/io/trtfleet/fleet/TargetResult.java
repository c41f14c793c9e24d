package io.trtfleet.fleet;

import io.trtfleet.pipeline.BuildOutcome;
import java.io.Serializable;
import java.util.Objects;

/**
 * What became of one target in a run: its status and, when it was built (now or in an earlier run),
 * what the build measured. Doubles are NaN when not measured.
 *
 * @param backend the store key's backend ({@code trt-10.6.0}, {@code onnxruntime-1.23.2})
 * @param builtWith how it was built, for people ({@code TensorRT 10.6.0 on NVIDIA H200})
 * @param engines segments with a serialized TensorRT engine, of {@code segments}
 * @param opsConvertedPercent share of the graph's convertible nodes inside TensorRT segments
 * @param referenceTop1 TensorFlow FP32 top-1 accuracy on the validation samples (labelled data only)
 * @param top1 the target's top-1 accuracy on the same samples
 * @param throughput samples per second of the slowest engine at the largest benchmarked batch (GPU only)
 * @param worker where the build task ran: executor id, host, GPU resource and address
 */
public record TargetResult(String model, String pool, String backend, String deviceKey, String precision,
    String contentDigest, Status status, String builtWith, long engines, int segments, double opsConvertedPercent,
    double referenceTop1, double top1, double throughput, double buildSeconds, Worker worker, String message)
    implements Serializable {

  public enum Status {
    /** Built and published in this run. */
    BUILT,
    /** Already published with the same key and intact: nothing to do. */
    SKIPPED,
    /** Not built: the run had no executor that can build it (a GPU pool without GPUs); nothing published. */
    NOT_BUILT,
    /** Built, but a segment missed its accuracy gate: not published. */
    GATE_FAILED,
    /** The build failed (message says why): not published. */
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
    builtWith = builtWith == null ? "" : builtWith;
  }

  /** Top-1 change against TensorFlow FP32 (negative = worse), NaN when not measured. */
  public double accuracyDelta() {
    return top1 - referenceTop1;
  }

  /** A target that ended without a build: {@code status} is NOT_BUILT or FAILED. */
  public static TargetResult unbuilt(Target t, Status status, Worker worker, String message) {
    return new TargetResult(t.model().name(), t.pool().name(), t.key().backend(), t.key().deviceKey(),
        t.precision().name(), t.key().contentDigest(), status, "", 0, 0, Double.NaN, Double.NaN, Double.NaN,
        Double.NaN, Double.NaN, worker, message);
  }

  /** The result of a build: BUILT when its outcome may be published, else GATE_FAILED or FAILED. */
  public static TargetResult of(Target t, BuildOutcome o, Worker worker) {
    Status s = o.ok() ? Status.BUILT : o.anyFailedGate() ? Status.GATE_FAILED : Status.FAILED;
    double[] top1 = o.top1().orElse(new double[] {Double.NaN, Double.NaN});
    String why = o.ok() ? "" : o.segments().stream().filter(x -> !x.reason().isEmpty()
        && x.status() != io.trtfleet.pipeline.SegmentOutcome.Status.NOT_CONVERTED)
        .map(x -> x.segment() + ": " + x.reason()).findFirst().orElse("") + " (not published)";
    return new TargetResult(t.model().name(), t.pool().name(), o.backend(), o.deviceKey(), t.precision().name(),
        t.key().contentDigest(), s, o.backendDescription(), o.engines(), o.segments().size(), o.convertedPercent(),
        top1[0], top1[1], o.throughput().orElse(Double.NaN), o.seconds(), worker, why);
  }

  public TargetResult withStatus(Status s, String why) {
    return new TargetResult(model, pool, backend, deviceKey, precision, contentDigest, s, builtWith, engines, segments,
        opsConvertedPercent, referenceTop1, top1, throughput, buildSeconds, worker, why);
  }

  public TargetResult withWorker(Worker w) {
    return new TargetResult(model, pool, backend, deviceKey, precision, contentDigest, status, builtWith, engines,
        segments, opsConvertedPercent, referenceTop1, top1, throughput, buildSeconds, w, message);
  }
}
