package io.trtfleet.calibrationdata;

import io.trtfleet.TrtfleetException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Samples from an IDX image file (MNIST layout: unsigned bytes {@code [n, rows, cols]}) and, optionally,
 * its IDX label file ({@code [n]}). Pixels are divided by 255 by default ({@link Scaling#AUTO}), the
 * preprocessing of the sample Fashion-MNIST model. A 3-D image file gives the per-sample shape
 * {@code [rows, cols, 1]} (HWC, one grayscale channel, as TensorFlow image models take it); other ranks
 * give the dimensions after the first.
 */
public final class IdxSamples implements SampleSource {

  private final String description;
  private final IdxArray images;
  private final byte[] labels;
  private final long[] shape;
  private final int sampleSize;
  private final float divisor;

  private IdxSamples(String description, IdxArray images, byte[] labels, float divisor) {
    this.description = description;
    this.images = images;
    this.labels = labels;
    int[] dims = images.dims();
    if (dims.length == 3) {
      this.shape = new long[] {dims[1], dims[2], 1};
    } else {
      this.shape = Arrays.stream(dims, 1, dims.length).asLongStream().toArray();
    }
    this.sampleSize = images.itemSize();
    this.divisor = divisor;
  }

  /**
   * Opens an image file and its labels.
   *
   * @param input the images file, or a directory holding exactly one {@code *images*} IDX file
   * @param labelFile the labels file; null to use the images file's sibling named with {@code images}
   *     replaced by {@code labels} and {@code idx3} by {@code idx1}, when it exists
   * @param requireLabels fail when no label file is given or found
   */
  public static IdxSamples open(Path input, Path labelFile, boolean requireLabels, Scaling scaling) {
    Path imageFile = Files.isDirectory(input) ? imagesIn(input) : input;
    if (labelFile == null) {
      Path sibling = siblingLabels(imageFile);
      if (sibling != null && Files.isRegularFile(sibling)) {
        labelFile = sibling;
      } else if (requireLabels) {
        throw new TrtfleetException("no labels for IDX images " + imageFile + (sibling == null ? ""
            : " (looked for " + sibling + ")") + ": pass --labels FILE");
      }
    }
    IdxArray images = read(imageFile, "images");
    if (images.dims().length < 2) {
      throw new TrtfleetException("IDX file " + imageFile + " holds a " + images.dims().length + "-D array "
          + Arrays.toString(images.dims()) + ", not samples [n, ...]: is it the labels file? pass the images as --input");
    }
    byte[] labels = null;
    if (labelFile != null) {
      IdxArray l = read(labelFile, "labels");
      if (l.dims().length != 1 || l.count() != images.count()) {
        throw new TrtfleetException("IDX labels " + labelFile + " have dims " + Arrays.toString(l.dims())
            + " but " + imageFile + " holds " + images.count() + " samples: pass the matching labels file");
      }
      labels = l.data();
    }
    String description = imageFile + (labelFile == null ? "" : " + " + labelFile);
    return new IdxSamples(description, images, labels, scaling.divisorFor(true));
  }

  private static IdxArray read(Path file, String what) {
    if (!Files.isRegularFile(file)) {
      throw new TrtfleetException("IDX " + what + " file " + file + " does not exist");
    }
    try {
      return IdxReader.read(file);
    } catch (IOException e) {
      throw new TrtfleetException("cannot read IDX " + what + ": " + e.getMessage(), e);
    }
  }

  private static Path imagesIn(Path dir) {
    List<Path> candidates;
    try (Stream<Path> files = Files.list(dir)) {
      candidates = files.filter(f -> f.getFileName().toString().contains("images")
          && f.getFileName().toString().contains("idx")).sorted().toList();
    } catch (IOException e) {
      throw new TrtfleetException("cannot list IDX directory " + dir + ": " + e.getMessage(), e);
    }
    if (candidates.size() != 1) {
      throw new TrtfleetException("IDX directory " + dir + " holds " + candidates.size() + " image files "
          + candidates.stream().map(p -> p.getFileName().toString()).toList()
          + ": pass the images file itself as --input (and --labels FILE)");
    }
    return candidates.get(0);
  }

  /** {@code train-images-idx3-ubyte.gz} -> {@code train-labels-idx1-ubyte.gz}; null if the name has no "images". */
  static Path siblingLabels(Path imageFile) {
    String name = imageFile.getFileName().toString();
    if (!name.contains("images")) {
      return null;
    }
    return imageFile.resolveSibling(name.replace("images", "labels").replace("idx3", "idx1"));
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public int size() {
    return images.count();
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
    int base = index * sampleSize;
    for (int p = 0; p < sampleSize; p++) {
      out[p] = images.unsigned(base + p) / divisor;
    }
  }

  @Override
  public boolean hasLabels() {
    return labels != null;
  }

  @Override
  public int label(int index) {
    return labels[index] & 0xFF;
  }
}
