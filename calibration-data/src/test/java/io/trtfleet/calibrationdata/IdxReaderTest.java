package io.trtfleet.calibrationdata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

  @TempDir Path tmp;

  @Test
  void readsPlainImageFile() throws IOException {
    byte[] pixels = {0, 1, 2, 3, 4, 5, (byte) 250, (byte) 251, (byte) 252, (byte) 253, (byte) 254, (byte) 255};
    Path file = write("images-idx3-ubyte", idx(0x00000803, new int[] {2, 2, 3}, pixels), false);

    IdxArray images = IdxReader.read(file);

    assertArrayEquals(new int[] {2, 2, 3}, images.dims());
    assertArrayEquals(pixels, images.data());
    assertEquals(2, images.count());
    assertEquals(6, images.itemSize());
    assertEquals(255, images.unsigned(11), "values are unsigned bytes");
  }

  @Test
  void readsGzipLabelFile() throws IOException {
    byte[] labels = {9, 0, 3, 7, 1};
    Path file = write("labels-idx1-ubyte.gz", idx(0x00000801, new int[] {5}, labels), true);

    IdxArray read = IdxReader.read(file);

    assertArrayEquals(new int[] {5}, read.dims());
    assertArrayEquals(labels, read.data());
    assertEquals(1, read.itemSize());
  }

  @Test
  void detectsGzipByContentNotName() throws IOException {
    Path file = write("labels.idx", idx(0x00000801, new int[] {2}, new byte[] {4, 2}), true);
    assertArrayEquals(new byte[] {4, 2}, IdxReader.read(file).data());
  }

  @Test
  void truncatedDataNamesTheFile() throws IOException {
    byte[] full = idx(0x00000803, new int[] {2, 2, 2}, new byte[8]);
    Path file = write("short-idx3-ubyte.gz", Arrays.copyOf(full, full.length - 3), true);

    IOException e = assertThrows(IOException.class, () -> IdxReader.read(file));

    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    assertTrue(e.getMessage().contains("8 bytes"), e.getMessage());
  }

  @Test
  void truncatedHeaderNamesTheFile() throws IOException {
    byte[] full = idx(0x00000803, new int[] {2, 2, 2}, new byte[8]);
    Path file = write("header-idx3-ubyte", Arrays.copyOf(full, 9), false);

    IOException e = assertThrows(IOException.class, () -> IdxReader.read(file));

    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void badMagicNamesTheFile() throws IOException {
    // 0x0D is IDX's float type: not the unsigned bytes this reader supports.
    Path file = write("floats-idx1", idx(0x00000D01, new int[] {1}, new byte[4]), false);

    IOException e = assertThrows(IOException.class, () -> IdxReader.read(file));

    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("0x00000d01"), e.getMessage());
  }

  @Test
  void rejectsTrailingBytes() throws IOException {
    byte[] full = idx(0x00000801, new int[] {2}, new byte[] {1, 2});
    Path file = write("long-idx1-ubyte", Arrays.copyOf(full, full.length + 1), false);

    IOException e = assertThrows(IOException.class, () -> IdxReader.read(file));

    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  @Test
  void arrayIsImmutable() {
    byte[] data = {1, 2};
    int[] dims = {2};
    IdxArray array = new IdxArray(dims, data);
    data[0] = 9;
    dims[0] = 7;
    array.data()[1] = 9;
    array.dims()[0] = 5;
    assertArrayEquals(new byte[] {1, 2}, array.data());
    assertArrayEquals(new int[] {2}, array.dims());
  }

  private static byte[] idx(int magic, int[] dims, byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(magic); // big-endian, as IDX wants
      for (int d : dims) {
        out.writeInt(d);
      }
      out.write(data);
    }
    return bytes.toByteArray();
  }

  private Path write(String name, byte[] content, boolean gzip) throws IOException {
    Path file = tmp.resolve(name);
    try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file))
        : Files.newOutputStream(file)) {
      out.write(content);
    }
    return file;
  }
}
