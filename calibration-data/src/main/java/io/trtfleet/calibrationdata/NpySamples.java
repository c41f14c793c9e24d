package io.trtfleet.calibrationdata;

import io.trtfleet.TrtfleetException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Samples from a {@code .npy} array {@code [n, d1, d2, ...]} (one sample per entry of the first
 * dimension, per-sample shape {@code [d1, d2, ...]}) and optional labels from a second {@code .npy}
 * file holding {@code n} integers ({@code [n]} or {@code [n, 1]}).
 *
 * <p>Values become float32 as {@code value / divisor} (see {@link Scaling}): {@code |u1} data is
 * divided by 255 by default, every other dtype is kept as is (float64 and wide integers rounded to
 * the nearest float32).
 */
public final class NpySamples implements SampleSource {

  private final String description;
  private final NpyArray data;
  private final long[] labels;
  private final long[] shape;
  private final int sampleSize;
  private final float divisor;

  private NpySamples(String description, NpyArray data, long[] labels, float divisor) {
    this.description = description;
    this.data = data;
    this.labels = labels;
    long[] full = data.shape();
    this.shape = full.length == 1 ? new long[] {1} : Arrays.copyOfRange(full, 1, full.length);
    this.sampleSize = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
    this.divisor = divisor;
  }

  public static NpySamples open(Path file, Path labelFile, Scaling scaling) {
    NpyArray data = read(file, "samples");
    long[] shape = data.shape();
    if (shape.length == 0) {
      throw new TrtfleetException(".npy file " + file + " holds a scalar, not samples [n, ...]");
    }
    if (shape[0] > Integer.MAX_VALUE) {
      throw new TrtfleetException(".npy file " + file + " holds " + shape[0] + " samples: split it into smaller files");
    }
    long[] labels = null;
    if (labelFile != null) {
      NpyArray l = read(labelFile, "labels");
      long[] ls = l.shape();
      boolean column = ls.length == 1 || (ls.length == 2 && ls[1] == 1);
      if (!column || ls[0] != shape[0]) {
        throw new TrtfleetException(".npy labels " + labelFile + " have shape " + Arrays.toString(ls) + " but "
            + file + " holds " + shape[0] + " samples: pass " + shape[0] + " integer labels ([n] or [n, 1])");
      }
      if (l.type().floating()) {
        throw new TrtfleetException(".npy labels " + labelFile + " are " + l.descr()
            + ": class labels must be integers (labels.astype(numpy.int32))");
      }
      labels = new long[(int) ls[0]];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = l.getLong(i);
        if (labels[i] < Integer.MIN_VALUE || labels[i] > Integer.MAX_VALUE) {
          throw new TrtfleetException(".npy labels " + labelFile + ": label " + labels[i] + " at " + i
              + " does not fit in an int");
        }
      }
    }
    String description = file + (labelFile == null ? "" : " + " + labelFile);
    return new NpySamples(description, data, labels, scaling.divisorFor(data.type() == NpyArray.Type.U1));
  }

  private static NpyArray read(Path file, String what) {
    if (!Files.isRegularFile(file)) {
      throw new TrtfleetException(".npy " + what + " file " + file + " does not exist");
    }
    try {
      return NpyReader.read(file);
    } catch (IOException e) {
      throw new TrtfleetException("cannot read .npy " + what + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public int size() {
    return (int) data.shape()[0];
  }

  @Override
  public long[] sampleShape() {
    return shape.clone();
  }

  @Override
  public int sampleSize() {
    return sampleSize;
  }

  @Override
  public void copySample(int index, float[] out) {
    long base = (long) index * sampleSize;
    if (data.type().exactInFloat()) {
      for (int k = 0; k < sampleSize; k++) {
        out[k] = data.getFloat(base + k) / divisor;
      }
    } else {
      for (int k = 0; k < sampleSize; k++) {
        out[k] = (float) (data.getDouble(base + k) / divisor);
      }
    }
  }

  @Override
  public boolean hasLabels() {
    return labels != null;
  }

  @Override
  public int label(int index) {
    return (int) labels[index];
  }
}
