package io.trtfleet.artifact;

import io.trtfleet.TrtfleetException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * TensorFlow's TFRecord framing (tensorflow/core/lib/io/record_writer.cc): per record, the length as
 * uint64 little-endian, the masked CRC32C of those 8 bytes, the data, the masked CRC32C of the data.
 * TF-TRT's InitializeTRTResource reads engine files through this format and checks both checksums.
 */
public final class TfRecordWriter {

  /** tensorflow/core/lib/hash/crc32c.h: kMaskDelta. */
  private static final int MASK_DELTA = 0xa282ead8;

  private TfRecordWriter() {}

  /** CRC32C rotated right by 15 bits plus a constant, as TF stores CRCs of data that may hold CRCs. */
  public static int maskedCrc32c(byte[] data, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(data, offset, length);
    return mask((int) crc.getValue());
  }

  public static int mask(int crc) {
    return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
  }

  /** One framed record: 12-byte header, the data, 4-byte footer. */
  public static byte[] frame(byte[] record) {
    ByteBuffer b = ByteBuffer.allocate(8 + 4 + record.length + 4).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(record.length);
    b.putInt(maskedCrc32c(b.array(), 0, 8));
    b.put(record);
    b.putInt(maskedCrc32c(record, 0, record.length));
    return b.array();
  }

  /** Writes the records, in order, as one uncompressed TFRecord file. */
  public static void write(Path file, List<byte[]> records) {
    try (OutputStream out = Files.newOutputStream(file)) {
      for (byte[] r : records) {
        out.write(frame(r));
      }
    } catch (IOException e) {
      throw new TrtfleetException("cannot write TFRecord file " + file + ": " + e.getMessage(), e);
    }
  }
}
