package io.trtfleet.sensitivity;

import io.trtfleet.verify.AccuracyGate;
import io.trtfleet.verify.OutputComparison;
import io.trtfleet.verify.Verifier;

/**
 * One conversion of a segment against FP32 TensorFlow: the worst relative RMS error over its outputs, the
 * lowest top-1 agreement over its classifier outputs (null without one), the largest top-1 accuracy drop
 * in points over outputs with labels (null without labels), and whether that meets the precision's gate.
 */
public record Score(double relativeRmsError, Double top1Agreement, Double top1Drop, boolean meetsGate) {

  static Score of(Verifier.Result r, AccuracyGate gate) {
    double rel = r.outputs().values().stream().mapToDouble(OutputComparison::relativeRmsError)
        .reduce(0, (a, b) -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b));
    Double agreement = r.outputs().values().stream().filter(OutputComparison::isClassifier)
        .map(OutputComparison::top1Agreement).min(Double::compare).orElse(null);
    Double drop = r.accuracy().values().stream().map(acc -> 100 * (acc[0] - acc[1])).max(Double::compare).orElse(null);
    return new Score(rel, agreement, drop, gate.violations(r).isEmpty());
  }
}
