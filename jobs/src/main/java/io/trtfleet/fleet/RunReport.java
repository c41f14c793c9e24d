package io.trtfleet.fleet;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of a nightly run: every target's result (built, skipped, gate-failed, failed), and per
 * model the calibration report's location.
 */
public record RunReport(String runId, double seconds, List<TargetResult> results, Map<String, String> calibrationReports) {

  public RunReport {
    results = List.copyOf(results);
    calibrationReports = Map.copyOf(calibrationReports);
  }

  public long count(TargetResult.Status s) {
    return results.stream().filter(r -> r.status() == s).count();
  }

  public boolean anyFailed() {
    return results.stream().anyMatch(r -> r.status().failed());
  }

  /** Throughput over the same model's FP32 result on the same pool, NaN when either is missing. */
  public double speedupVsFp32(TargetResult r) {
    Optional<TargetResult> fp32 = results.stream().filter(o -> o.model().equals(r.model()) && o.pool().equals(r.pool())
        && o.precision().equals("FP32")).findFirst();
    return fp32.map(f -> r.throughput() / f.throughput()).orElse(Double.NaN);
  }

  public String summaryLine() {
    return String.format(Locale.ROOT, "%d targets: %d built, %d skipped (already published), %d failed the accuracy"
        + " gate, %d failed, in %.1f s", results.size(), count(TargetResult.Status.BUILT),
        count(TargetResult.Status.SKIPPED), count(TargetResult.Status.GATE_FAILED), count(TargetResult.Status.FAILED),
        seconds);
  }
}
