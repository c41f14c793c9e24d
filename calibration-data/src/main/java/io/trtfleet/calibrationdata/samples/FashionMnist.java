package io.trtfleet.calibrationdata.samples;

import io.trtfleet.calibrationdata.IdxArray;
import io.trtfleet.calibrationdata.IdxReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One split of Fashion-MNIST (28x28 grayscale, 10 classes) as the sample CNN consumes it: pixels
 * scaled to [0, 1] on the way out, labels 0..9. Immutable.
 */
public final class FashionMnist {

  public static final int ROWS = 28;
  public static final int COLS = 28;
  public static final int PIXELS = ROWS * COLS;
  public static final int CLASSES = 10;
  /** Where the datasets package installs the four gzip IDX files on this kind of machine. */
  public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  /** The two splits and their file-name prefixes. */
  public enum Split {
    TRAIN("train"),
    TEST("t10k");

    private final String prefix;

    Split(String prefix) {
      this.prefix = prefix;
    }

    Path images(Path dir) {
      return dir.resolve(prefix + "-images-idx3-ubyte.gz");
    }

    Path labels(Path dir) {
      return dir.resolve(prefix + "-labels-idx1-ubyte.gz");
    }
  }

  private final byte[] pixels;
  private final byte[] labels;

  private FashionMnist(byte[] pixels, byte[] labels) {
    this.pixels = pixels;
    this.labels = labels;
  }

  /** Reads a split from the directory holding the gzip IDX files, checking that they agree. */
  public static FashionMnist load(Path dir, Split split) throws IOException {
    Path imageFile = split.images(dir);
    Path labelFile = split.labels(dir);
    IdxArray images = IdxReader.read(imageFile);
    IdxArray labels = IdxReader.read(labelFile);
    if (images.dims().length != 3 || images.dims()[1] != ROWS || images.dims()[2] != COLS) {
      throw new IOException(imageFile + ": expected images [n," + ROWS + "," + COLS + "], got "
          + Arrays.toString(images.dims()));
    }
    if (labels.dims().length != 1 || labels.count() != images.count()) {
      throw new IOException(labelFile + ": expected " + images.count() + " labels, got "
          + Arrays.toString(labels.dims()));
    }
    byte[] labelBytes = labels.data();
    for (int i = 0; i < labelBytes.length; i++) {
      if ((labelBytes[i] & 0xFF) >= CLASSES) {
        throw new IOException(labelFile + ": label " + (labelBytes[i] & 0xFF) + " at " + i);
      }
    }
    return new FashionMnist(images.data(), labelBytes);
  }

  public int size() {
    return labels.length;
  }

  /** The first {@code n} examples (for quick checks). */
  public FashionMnist first(int n) {
    int count = Math.min(n, size());
    return new FashionMnist(Arrays.copyOf(pixels, count * PIXELS), Arrays.copyOf(labels, count));
  }

  public int label(int index) {
    return labels[index];
  }

  /** Writes image {@code index}, scaled to [0, 1], into {@code out} from {@code offset} (HWC, C=1). */
  public void copyImage(int index, float[] out, int offset) {
    int base = index * PIXELS;
    for (int p = 0; p < PIXELS; p++) {
      out[offset + p] = (pixels[base + p] & 0xFF) / 255f;
    }
  }
}
