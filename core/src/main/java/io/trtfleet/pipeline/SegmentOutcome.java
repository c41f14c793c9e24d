package io.trtfleet.pipeline;

import io.trtfleet.tensorrt.EngineBenchmark;
import io.trtfleet.verify.AccuracyGate;
import io.trtfleet.verify.OutputComparison;
import io.trtfleet.verify.Verifier;
import java.util.List;
import java.util.Map;

/**
 * What became of one TensorRT segment in a build.
 *
 * @param files what was written for it, relative to the build folder
 * @param validation against FP32 TensorFlow on held-out samples; null without samples
 * @param benchmark null when not timed (no iterations, not built, or a backend that does not time)
 * @param mixedPrecision the search for tensors to keep in float after the quantized build missed its gate;
 *     null when none ran
 */
public record SegmentOutcome(String segment, Status status, String reason, List<String> files, double buildSeconds,
    long planBytes, Validation validation, EngineBenchmark benchmark, MixedPrecision mixedPrecision) {

  public enum Status {
    /** Built (and, with samples, within its accuracy gate). */
    OK,
    /** The converter cannot express it: TF-TRT builds it at load time from the segment function, or runs it natively. */
    NOT_CONVERTED,
    /** The backend could not build it: the target is not published. */
    BUILD_FAILED,
    /** Built, but outside its accuracy gate: the target is not published. */
    FAILED_GATE
  }

  /** The segment's outputs against TensorFlow's, the gate and what missed it. */
  public record Validation(long samples, Map<String, OutputComparison> outputs, Map<String, double[]> accuracy,
      AccuracyGate gate, List<String> violations) {
    public Validation {
      outputs = Map.copyOf(outputs);
      accuracy = Map.copyOf(accuracy);
      violations = List.copyOf(violations);
    }

    static Validation of(Verifier.Result v, AccuracyGate gate) {
      return new Validation(v.samples(), v.outputs(), v.accuracy(), gate, gate.violations(v));
    }
  }

  public SegmentOutcome {
    files = List.copyOf(files);
    reason = reason == null ? "" : reason;
  }

  static SegmentOutcome notBuilt(String segment, Status status, String reason, List<String> files) {
    return new SegmentOutcome(segment, status, reason, files, Double.NaN, 0, null, null, null);
  }
}
