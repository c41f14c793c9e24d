package io.trtfleet.calibrationdata;

import java.util.Arrays;

/**
 * An unsigned-byte array read from an IDX file (the MNIST container format): its dimensions, outer
 * first ({@code [n, rows, cols]} for images, {@code [n]} for labels), and the values in row-major
 * order. Immutable: the arrays are copied in and out.
 */
public record IdxArray(int[] dims, byte[] data) {

  public IdxArray {
    dims = dims.clone();
    data = data.clone();
    long expected = 1;
    for (int d : dims) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
      }
      expected *= d;
    }
    if (expected != data.length) {
      throw new IllegalArgumentException(
          "dims " + Arrays.toString(dims) + " need " + expected + " values, got " + data.length);
    }
  }

  @Override
  public int[] dims() {
    return dims.clone();
  }

  /** A copy of the raw values; use {@link #unsigned(int)} to read single values without copying. */
  @Override
  public byte[] data() {
    return data.clone();
  }

  /** Number of items along the first dimension (images or labels). */
  public int count() {
    return dims.length == 0 ? 1 : dims[0];
  }

  /** Values per item: rows * cols for images, 1 for labels. */
  public int itemSize() {
    int size = 1;
    for (int i = 1; i < dims.length; i++) {
      size *= dims[i];
    }
    return size;
  }

  /** The value at a flat row-major index, as 0..255. */
  public int unsigned(int index) {
    return data[index] & 0xFF;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof IdxArray that
        && Arrays.equals(dims, that.dims) && Arrays.equals(data, that.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(dims) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "IdxArray" + Arrays.toString(dims);
  }
}
