package io.trtfleet.calibrationdata;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads unsigned-byte IDX files, plain or gzip-compressed (detected from the content, not the file
 * name). The header is big-endian: a magic number {@code 0x000008NN} (type 0x08 = uint8, NN = number
 * of dimensions, e.g. {@code 0x00000803} for MNIST images, {@code 0x00000801} for labels), then one
 * int32 per dimension, then the values.
 */
public final class IdxReader {

  static final int UINT8_TYPE = 0x08;
  static final int MAX_DIMS = 4;

  private static final int GZIP_MAGIC = 0x1f8b;

  private IdxReader() {}

  /** Reads the whole file; fails with an IOException naming the file if it is not a valid IDX file. */
  public static IdxArray read(Path file) throws IOException {
    try (InputStream in = open(file)) {
      return read(new DataInputStream(in), file);
    } catch (EOFException e) {
      throw new IOException(file + ": truncated IDX file (ended inside the header)", e);
    } catch (ZipException e) {
      throw new IOException(file + ": corrupt gzip stream: " + e.getMessage(), e);
    }
  }

  private static InputStream open(Path file) throws IOException {
    BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    in.mark(2);
    int first = in.read();
    int second = in.read();
    in.reset();
    boolean gzip = first >= 0 && second >= 0 && ((first << 8) | second) == GZIP_MAGIC;
    return gzip ? new GZIPInputStream(in, 1 << 16) : in;
  }

  private static IdxArray read(DataInputStream in, Path file) throws IOException {
    int magic = in.readInt();
    int type = (magic >>> 8) & 0xFF;
    int rank = magic & 0xFF;
    if ((magic >>> 16) != 0 || type != UINT8_TYPE || rank < 1 || rank > MAX_DIMS) {
      throw new IOException(String.format(
          "%s: bad IDX magic 0x%08x (expected 0x000008NN: unsigned bytes with 1..%d dimensions,"
              + " e.g. 0x00000803 images or 0x00000801 labels)", file, magic, MAX_DIMS));
    }
    int[] dims = new int[rank];
    long size = 1;
    for (int i = 0; i < rank; i++) {
      dims[i] = in.readInt();
      if (dims[i] < 0) {
        throw new IOException(file + ": negative IDX dimension " + dims[i]);
      }
      size *= dims[i];
    }
    if (size > Integer.MAX_VALUE - 8) {
      throw new IOException(file + ": IDX array " + Arrays.toString(dims) + " is too large");
    }
    byte[] data = new byte[(int) size];
    int found = readFully(in, data);
    if (found < size) {
      throw new IOException(String.format("%s: truncated IDX file: dims %s need %d bytes of data,"
          + " found %d", file, Arrays.toString(dims), size, found));
    }
    if (readOrEnd(in) != -1) {
      throw new IOException(file + ": IDX file has bytes after the " + size
          + " data bytes that dims " + Arrays.toString(dims) + " describe");
    }
    return new IdxArray(dims, data);
  }

  /** Fills {@code data} as far as the stream goes; a cut-off gzip stream counts as its end. */
  private static int readFully(InputStream in, byte[] data) throws IOException {
    int off = 0;
    try {
      while (off < data.length) {
        int n = in.read(data, off, data.length - off);
        if (n < 0) {
          break;
        }
        off += n;
      }
    } catch (EOFException cutOffGzip) {
      // GZIPInputStream reports a truncated member this way; the caller reports what was found.
    }
    return off;
  }

  private static int readOrEnd(InputStream in) throws IOException {
    try {
      return in.read();
    } catch (EOFException cutOffGzip) {
      return -1;
    }
  }
}
