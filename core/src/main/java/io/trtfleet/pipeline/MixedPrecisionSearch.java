package io.trtfleet.pipeline;

import java.util.function.IntPredicate;

/**
 * The fewest of the most sensitive tensors to keep in float so a build passes its gate: with none kept
 * known to fail, it tries all {@code n} first (if even that fails, no number does), then bisects between,
 * so it builds at most 1 + ceil(log2 n) times. It assumes keeping more of the ranking never hurts, which
 * holds when tensors add their errors; where it does not, the answer still passes (every answer is one
 * that was built and passed), it may just keep a few more tensors than needed.
 */
final class MixedPrecisionSearch {

  private MixedPrecisionSearch() {}

  /** The smallest k in 1..n that {@code passes}, or -1 when {@code passes(n)} is false. */
  static int smallestPassing(int n, IntPredicate passes) {
    if (n < 1 || !passes.test(n)) {
      return -1;
    }
    int failing = 0;
    int passing = n;
    while (passing - failing > 1) {
      int mid = (failing + passing) >>> 1;
      if (passes.test(mid)) {
        passing = mid;
      } else {
        failing = mid;
      }
    }
    return passing;
  }
}
