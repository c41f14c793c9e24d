package io.trtfleet.pipeline;

import java.util.List;

/**
 * The mixed precision a quantized segment was given after it missed its gate: its quantized tensors
 * ranked by sensitivity (ONNX Runtime on the CPU, {@code sensitivity.SensitivityAnalysis}), then the
 * fewest of the most sensitive kept in float (FP16 between layers) for the gate to pass, found by
 * bisection over that ranking. What every attempt gave is kept, so the report says why.
 *
 * @param ranking the segment's quantized tensors, most sensitive first
 * @param keptFloat the tensors the chosen build reads in float (a prefix of the ranking); empty when no
 *     number of them passed
 * @param firstViolations why the fully quantized build missed the gate
 * @param attempts every build tried, in order
 */
public record MixedPrecision(List<String> ranking, List<String> keptFloat, String firstViolations,
    List<Attempt> attempts) {

  /** One build of the search: the number of ranked tensors kept in float, and what validation said. */
  public record Attempt(int keptFloat, boolean passed, String detail) {}

  public MixedPrecision {
    ranking = List.copyOf(ranking);
    keptFloat = List.copyOf(keptFloat);
    attempts = List.copyOf(attempts);
  }

  /** Whether a number of float tensors was found for which the gate passes. */
  public boolean found() {
    return !keptFloat.isEmpty();
  }

  /** Tensors still quantized in the chosen build. */
  public int quantized() {
    return ranking.size() - keptFloat.size();
  }
}
