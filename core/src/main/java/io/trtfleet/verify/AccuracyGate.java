package io.trtfleet.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * When a converted model is good enough to publish: per output, a bound on the relative RMS error
 * against FP32 TensorFlow and, for classifier outputs, a floor on top-1 agreement and (with labels) a
 * bound on the top-1 accuracy drop in points (0.005 = half a point).
 */
public record AccuracyGate(double maxRelativeRmsError, double minTop1Agreement, double maxTop1Drop) {

  public AccuracyGate {
    if (!(maxRelativeRmsError >= 0) || !(minTop1Agreement >= 0 && minTop1Agreement <= 1) || !(maxTop1Drop >= 0)) {
      throw new IllegalArgumentException("accuracy gate needs max_relative_rms_error >= 0, 0 <= min_top1_agreement"
          + " <= 1 and max_top1_drop >= 0; got " + maxRelativeRmsError + ", " + minTop1Agreement + ", " + maxTop1Drop);
    }
  }

  /** Why the result fails the gate, one line per violation; empty when it passes. */
  public List<String> violations(Verifier.Result result) {
    List<String> out = new ArrayList<>();
    if (result.samples() == 0) {
      out.add("no samples were compared");
    }
    for (OutputComparison c : result.outputs().values()) {
      if (!(c.relativeRmsError() <= maxRelativeRmsError)) {
        out.add(String.format(Locale.ROOT, "%s: relative RMS error %.3g > %.3g", c.output(), c.relativeRmsError(),
            maxRelativeRmsError));
      }
      if (c.isClassifier() && !(c.top1Agreement() >= minTop1Agreement)) {
        out.add(String.format(Locale.ROOT, "%s: top-1 agreement %.4f < %.4f", c.output(), c.top1Agreement(),
            minTop1Agreement));
      }
    }
    result.accuracy().forEach((output, acc) -> {
      double drop = acc[0] - acc[1];
      if (drop > maxTop1Drop) {
        out.add(String.format(Locale.ROOT, "%s: top-1 accuracy %.4f vs %.4f in FP32 TensorFlow (drop %.2f points > %.2f)",
            output, acc[1], acc[0], 100 * drop, 100 * maxTop1Drop));
      }
    });
    return out;
  }
}
