package io.trtfleet.convert;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.trtfleet.graph.HostTensor;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Fashion-MNIST test images from the installed IDX files, as [n,28,28,1] floats in [0,1]. */
final class FashionMnist {

  static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");

  private FashionMnist() {}

  /** Images {@code from} .. {@code from+count} of the 10k test set; skips the test when not installed. */
  static HostTensor testImages(int from, int count) {
    return images("t10k-images-idx3-ubyte.gz", from, count);
  }

  static HostTensor trainImages(int from, int count) {
    return images("train-images-idx3-ubyte.gz", from, count);
  }

  private static HostTensor images(String name, int from, int count) {
    Path file = DIR.resolve(name);
    assumeTrue(Files.isRegularFile(file), "Fashion-MNIST not installed at " + DIR);
    try (InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
      if (in.readInt() != 0x803) {
        throw new IOException(file + " is not an IDX image file");
      }
      int n = in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      int size = rows * cols;
      if (from + count > n) {
        throw new IllegalArgumentException("only " + n + " images");
      }
      in.skipNBytes((long) from * size);
      byte[] pixels = new byte[count * size];
      in.readFully(pixels);
      float[] v = new float[pixels.length];
      for (int i = 0; i < v.length; i++) {
        v[i] = (pixels[i] & 0xff) / 255f;
      }
      return HostTensor.ofFloats(new long[] {count, rows, cols, 1}, v);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
