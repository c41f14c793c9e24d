package io.trtfleet.verify;

import io.trtfleet.graph.HostTensor;
import java.util.Arrays;

/**
 * How close one output of a converted model is to the reference: largest absolute difference,
 * relative RMS error (||actual - expected|| / ||expected||, with ||expected|| taken as at least
 * {@value #ABSOLUTE_FLOOR} RMS per element, so an output that is almost zero everywhere is judged by its
 * absolute error: 2e-10 off a near-zero output is no mismatch) and, for [batch, classes] class scores,
 * the share of rows whose arg-max agrees (NaN otherwise). Any numeric or bool output. A result to judge,
 * not a verdict.
 */
public record OutputComparison(String output, double maxAbsError, double relativeRmsError,
    double top1Agreement, long rows) {

  /** The smallest RMS of the expected output that relative errors are measured against. */
  public static final double ABSOLUTE_FLOOR = 1e-5;

  /** One comparison; a [batch, classes] output is taken for class scores. */
  public static OutputComparison of(String output, HostTensor expected, HostTensor actual) {
    return new Accumulator(output, true).add(expected, actual).result();
  }

  public boolean isClassifier() {
    return !Double.isNaN(top1Agreement);
  }

  @Override
  public String toString() {
    return String.format("%s: max |error| %.3g, relative RMS error %.3g%s", output, maxAbsError, relativeRmsError,
        isClassifier() ? String.format(", top-1 agreement %.4f (%d rows)", top1Agreement, rows) : "");
  }

  /** Accumulates the comparison of one output over many batches. */
  public static final class Accumulator {
    private final String output;
    private double maxAbs;
    private double diff2;
    private double ref2;
    private long rows;
    private long elements;
    private long classifierRows;
    private long agree;
    private boolean classifier;

    /** @param classScores whether the output holds class scores (top-1 agreement then counts when it is 2-D) */
    public Accumulator(String output, boolean classScores) {
      this.output = output;
      this.classifier = classScores;
    }

    public Accumulator add(HostTensor expected, HostTensor actual) {
      long[] shape = expected.shape();
      if (!Arrays.equals(shape, actual.shape())) {
        throw new IllegalArgumentException("Cannot compare output '" + output + "': shape "
            + Arrays.toString(actual.shape()) + " differs from reference " + Arrays.toString(shape));
      }
      double[] e = expected.asDoubles();
      double[] a = actual.asDoubles();
      for (int i = 0; i < e.length; i++) {
        double d = a[i] - e[i];
        if (Double.isNaN(d)) {
          maxAbs = Double.NaN;
        } else if (!Double.isNaN(maxAbs)) {
          maxAbs = Math.max(maxAbs, Math.abs(d));
        }
        diff2 += d * d;
        ref2 += e[i] * e[i];
      }
      elements += e.length;
      rows += shape.length > 0 ? shape[0] : 1;
      if (shape.length == 2 && shape[1] > 1) {
        int classes = (int) shape[1];
        for (int r = 0; r < shape[0]; r++) {
          if (argmax(e, r * classes, classes) == argmax(a, r * classes, classes)) {
            agree++;
          }
          classifierRows++;
        }
      } else {
        classifier = false;
      }
      return this;
    }

    public OutputComparison result() {
      double floor = ABSOLUTE_FLOOR * ABSOLUTE_FLOOR * Math.max(elements, 1);
      double rel = Math.sqrt(diff2 / Math.max(ref2, floor));
      double top1 = classifier && classifierRows > 0 ? (double) agree / classifierRows : Double.NaN;
      return new OutputComparison(output, maxAbs, rel, top1, rows);
    }

    private static int argmax(double[] v, int from, int n) {
      int best = 0;
      for (int i = 1; i < n; i++) {
        if (v[from + i] > v[from + best]) {
          best = i;
        }
      }
      return best;
    }
  }
}
