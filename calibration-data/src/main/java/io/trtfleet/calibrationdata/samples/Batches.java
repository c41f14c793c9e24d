package io.trtfleet.calibrationdata.samples;

import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** Turns a run of (possibly shuffled) example indices into input tensors; the caller closes them. */
final class Batches {

  private Batches() {}

  /** Images {@code order[from .. from+size)} as a float tensor [size,28,28,1] in [0, 1]. */
  static TFloat32 images(FashionMnist data, int[] order, int from, int size) {
    float[] values = new float[size * FashionMnist.PIXELS];
    for (int i = 0; i < size; i++) {
      data.copyImage(order[from + i], values, i * FashionMnist.PIXELS);
    }
    return TFloat32.tensorOf(Shape.of(size, FashionMnist.ROWS, FashionMnist.COLS, 1),
        DataBuffers.of(values, true, false));
  }

  /** The matching labels, one-hot [size,10], as softmax cross-entropy takes them. */
  static TFloat32 oneHotLabels(FashionMnist data, int[] order, int from, int size) {
    float[] values = new float[size * FashionMnist.CLASSES];
    for (int i = 0; i < size; i++) {
      values[i * FashionMnist.CLASSES + data.label(order[from + i])] = 1f;
    }
    return TFloat32.tensorOf(Shape.of(size, FashionMnist.CLASSES), DataBuffers.of(values, true, false));
  }

  /** 0, 1, ..., n-1. */
  static int[] identityOrder(int n) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    return order;
  }

  /** How many of the rows of {@code probabilities} [size,10] pick the label of examples {@code from ..}. */
  static int countCorrect(float[] probabilities, FashionMnist data, int from, int size) {
    int correct = 0;
    for (int i = 0; i < size; i++) {
      if (argMax(probabilities, i, FashionMnist.CLASSES) == data.label(from + i)) {
        correct++;
      }
    }
    return correct;
  }

  /** Index of the largest of {@code row}'s {@code width} values starting at {@code row * width}. */
  static int argMax(float[] values, int row, int width) {
    int best = 0;
    for (int c = 1; c < width; c++) {
      if (values[row * width + c] > values[row * width + best]) {
        best = c;
      }
    }
    return best;
  }
}
