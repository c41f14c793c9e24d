package io.trtfleet.fleet;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of a nightly run: every target's result (built, skipped, not built, gate-failed, failed),
 * per model the calibration report's location (relative to the report), and the models that could not
 * be planned, with why.
 */
public record RunReport(String runId, double seconds, List<TargetResult> results, Map<String, String> calibrationReports,
    Map<String, String> unplannable) {

  public RunReport {
    results = List.copyOf(results);
    calibrationReports = Map.copyOf(calibrationReports);
    unplannable = Map.copyOf(unplannable);
  }

  public long count(TargetResult.Status s) {
    return results.stream().filter(r -> r.status() == s).count();
  }

  public boolean anyFailed() {
    return !unplannable.isEmpty() || results.stream().anyMatch(r -> r.status().failed());
  }

  /** Targets that wait for an executor of their pool (GPU pools without GPUs in this run). */
  public boolean anyNotBuilt() {
    return results.stream().anyMatch(r -> r.status() == TargetResult.Status.NOT_BUILT);
  }

  /** Throughput over the same model's FP32 result on the same pool, NaN when either is missing. */
  public double speedupVsFp32(TargetResult r) {
    Optional<TargetResult> fp32 = results.stream().filter(o -> o.model().equals(r.model()) && o.pool().equals(r.pool())
        && o.precision().equals("FP32")).findFirst();
    return fp32.map(f -> r.throughput() / f.throughput()).orElse(Double.NaN);
  }

  public String summaryLine() {
    return String.format(Locale.ROOT, "%d targets: %d built, %d skipped (already published), %d not built (no"
        + " executor of their pool), %d failed the accuracy gate, %d failed%s, in %.0f s", results.size(),
        count(TargetResult.Status.BUILT), count(TargetResult.Status.SKIPPED), count(TargetResult.Status.NOT_BUILT),
        count(TargetResult.Status.GATE_FAILED), count(TargetResult.Status.FAILED),
        unplannable.isEmpty() ? "" : "; " + unplannable.size() + " models could not be planned", seconds);
  }
}
