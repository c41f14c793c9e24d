package io.trtfleet.sensitivity;

import io.trtfleet.Precision;
import io.trtfleet.verify.AccuracyGate;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A sensitivity analysis: per segment, how much each quantized tensor costs, measured on {@code samples}
 * held-out samples against FP32 TensorFlow ({@code labelled}: with top-1 accuracy drops), judged by
 * {@code gate}. {@code skipped} names the segments with nothing to analyze and why.
 */
public record SensitivityReport(String model, Precision precision, long samples, boolean labelled, AccuracyGate gate,
    List<SegmentSensitivity> segments, Map<String, String> skipped) {

  /** Most sensitive first: by the error when only the tensor is quantized, then by the error when only it is float. */
  static final Comparator<TensorSensitivity> MOST_SENSITIVE_FIRST = Comparator
      .comparingDouble((TensorSensitivity t) -> -nanAsWorst(t.onlyQuantized().relativeRmsError()))
      .thenComparingDouble(t -> t.onlyFloat() == null ? 0 : nanAsWorst(t.onlyFloat().relativeRmsError()));

  public SensitivityReport {
    segments = List.copyOf(segments);
    skipped = Map.copyOf(skipped);
  }

  /** Every analyzed tensor over all segments, most sensitive first. */
  public List<TensorSensitivity> ranking() {
    return segments.stream().flatMap(s -> s.tensors().stream()).sorted(MOST_SENSITIVE_FIRST).toList();
  }

  /** NaN (a broken conversion) ranks as the worst. */
  private static double nanAsWorst(double v) {
    return Double.isNaN(v) ? Double.MAX_VALUE : v;
  }
}
