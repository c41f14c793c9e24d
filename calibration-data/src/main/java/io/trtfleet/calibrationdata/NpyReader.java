package io.trtfleet.calibrationdata;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0), as {@code numpy.save} writes them:
 * the magic {@code \x93NUMPY}, a version, a little-endian header length (2 bytes in 1.0, 4 in 2.0/3.0),
 * an ASCII Python dict literal {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2000, 28, 28), }}
 * and the raw values. Supported dtypes: {@code |u1 |i1 u2 i2 u4 i4 i8 f4 f8} in either byte order
 * ({@code <} little-, {@code >} big-endian). Only C order; {@code .npz} archives, structured, object,
 * bool and float16 arrays are refused with a message naming the file.
 */
public final class NpyReader {

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private NpyReader() {}

  public static NpyArray read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length >= 4 && bytes[0] == 'P' && bytes[1] == 'K' && bytes[2] == 3 && bytes[3] == 4) {
      throw new IOException(file + ": is a zip archive (.npz?), not a .npy file: save each array with numpy.save");
    }
    if (bytes.length < 10 || !startsWithMagic(bytes)) {
      throw new IOException(file + ": not a .npy file (no \\x93NUMPY magic): write it with numpy.save");
    }
    int major = bytes[6] & 0xFF;
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long headerLength;
    int headerStart;
    if (major == 1) {
      headerLength = in.getShort(8) & 0xFFFF;
      headerStart = 10;
    } else if (major == 2 || major == 3) {
      if (bytes.length < 12) {
        throw new IOException(file + ": truncated .npy header");
      }
      headerLength = in.getInt(8) & 0xFFFFFFFFL;
      headerStart = 12;
    } else {
      throw new IOException(file + ": unsupported .npy format version " + major + "." + (bytes[7] & 0xFF));
    }
    if (headerStart + headerLength > bytes.length) {
      throw new IOException(file + ": truncated .npy header (" + headerLength + " bytes announced)");
    }
    String header = new String(bytes, headerStart, (int) headerLength,
        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    String descr = group(DESCR, header, file, "descr");
    if (group(FORTRAN, header, file, "fortran_order").equals("True")) {
      throw new IOException(file + ": array is in Fortran order; save a C-order copy"
          + " (numpy.save(f, numpy.ascontiguousarray(a)))");
    }
    long[] shape = parseShape(group(SHAPE, header, file, "shape"), file);

    ByteOrder order;
    String code;
    if (descr.length() == 3 && (descr.charAt(0) == '<' || descr.charAt(0) == '>' || descr.charAt(0) == '|')) {
      order = descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
      code = descr.substring(1);
    } else {
      throw new IOException(file + ": unsupported dtype '" + descr + "': convert to a numeric type such as"
          + " float32 ('<f4'), int32 ('<i4') or uint8 ('|u1')");
    }
    NpyArray.Type type = NpyArray.Type.of(code);
    if (type == null) {
      throw new IOException(file + ": unsupported dtype '" + descr + "': convert to float32 ('<f4'), float64,"
          + " int8/16/32/64 or uint8/16/32 (a.astype(numpy.float32))");
    }
    long count = 1;
    for (long d : shape) {
      count *= d;
    }
    long dataStart = headerStart + headerLength;
    long needed = count * type.bytes();
    if (dataStart + needed > bytes.length) {
      throw new IOException(String.format("%s: truncated .npy data: shape %s of %s needs %d bytes, found %d",
          file, java.util.Arrays.toString(shape), descr, needed, bytes.length - dataStart));
    }
    if (dataStart + needed < bytes.length) {
      throw new IOException(file + ": " + (bytes.length - dataStart - needed) + " bytes after the data that shape "
          + java.util.Arrays.toString(shape) + " of " + descr + " describes");
    }
    ByteBuffer data = ByteBuffer.wrap(bytes, (int) dataStart, (int) needed).slice();
    return new NpyArray(descr, type, order, shape, data);
  }

  private static boolean startsWithMagic(byte[] bytes) {
    for (int i = 0; i < MAGIC.length; i++) {
      if (bytes[i] != MAGIC[i]) {
        return false;
      }
    }
    return true;
  }

  private static String group(Pattern p, String header, Path file, String key) throws IOException {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new IOException(file + ": .npy header has no '" + key + "': " + header.trim());
    }
    return m.group(1);
  }

  private static long[] parseShape(String s, Path file) throws IOException {
    List<Long> dims = new ArrayList<>();
    for (String part : s.split(",")) {
      String t = part.trim();
      if (t.isEmpty()) {
        continue;
      }
      if (t.endsWith("L")) {
        t = t.substring(0, t.length() - 1);  // Python 2 longs
      }
      try {
        long d = Long.parseLong(t);
        if (d < 0) {
          throw new NumberFormatException();
        }
        dims.add(d);
      } catch (NumberFormatException e) {
        throw new IOException(file + ": bad .npy shape (" + s + ")");
      }
    }
    return dims.stream().mapToLong(Long::longValue).toArray();
  }
}
