package io.trtfleet.importer;

import java.util.Arrays;

/** The constant shape a Reshape to a computed shape can take instead (see {@link ConstantFolder}). */
final class ReshapeTarget {

  private ReshapeTarget() {}

  /** The static result as a Reshape shape, when it has at most one unknown dimension (then -1). */
  static long[] fromStaticShape(long[] out) {
    if (out == null || Arrays.stream(out).filter(d -> d < 0).count() > 1 || Arrays.stream(out).anyMatch(d -> d == 0)) {
      return null;
    }
    return Arrays.stream(out).map(d -> Math.max(d, -1)).toArray();
  }

  /**
   * A shape that is constant but for one entry carrying the reshaped tensor's own first dimension (it
   * evaluated to 1, then to that dimension's sentinel): that entry becomes -1, and a -1 elsewhere the size
   * the tensor's other (static) dimensions leave for it; null when the shape is no such thing.
   *
   * @param x the reshaped tensor's static shape
   * @param runs the shape's two evaluations
   */
  static long[] batchPassThrough(long[] x, long batchSentinel, long[][] runs) {
    if (x == null || x.length == 0 || x[0] >= 0 || batchSentinel < 0 || runs[0].length != runs[1].length) {
      return null;
    }
    long elementsPerBatch = 1;
    for (int d = 1; d < x.length; d++) {
      if (x[d] < 0) {
        return null;
      }
      elementsPerBatch *= x[d];
    }
    long[] target = runs[0].clone();
    int batch = -1;
    int inferred = -1;
    long known = 1;
    for (int i = 0; i < target.length; i++) {
      if (runs[0][i] == ShapeSentinels.SMALL && runs[1][i] == batchSentinel && batch < 0) {
        batch = i;
      } else if (runs[0][i] != runs[1][i]) {
        return null;
      } else if (runs[0][i] == -1 && inferred < 0) {
        inferred = i;
      } else if (runs[0][i] <= 0) {
        return null;
      } else {
        known *= runs[0][i];
      }
    }
    if (batch < 0) {
      return null;
    }
    if (inferred >= 0) {
      if (elementsPerBatch % known != 0) {
        return null;
      }
      target[inferred] = elementsPerBatch / known;
    }
    target[batch] = -1;
    return target;
  }
}
