package io.trtfleet.calibrationdata;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/** Small IDX, NPY and Parquet files for tests. */
final class TestFiles {

  private TestFiles() {}

  /** An IDX file of unsigned bytes; gzip-compressed when the name ends in .gz. */
  static Path idx(Path file, int[] dims, byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(0x00000800 | dims.length);
      for (int d : dims) {
        out.writeInt(d);
      }
      out.write(data);
    }
    try (OutputStream out = file.toString().endsWith(".gz")
        ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
      out.write(bytes.toByteArray());
    }
    return file;
  }

  /** A version 1.0 .npy file as numpy.save writes it (header padded to a multiple of 64 bytes). */
  static Path npy(Path file, String descr, long[] shape, byte[] data) throws IOException {
    String dims = Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", "));
    String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims
        + (shape.length == 1 ? "," : "") + "), }";
    int total = 10 + header.length() + 1;
    header = header + " ".repeat((64 - total % 64) % 64) + "\n";
    ByteBuffer head = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
    head.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(head.array());
      out.write(header.getBytes(StandardCharsets.US_ASCII));
      out.write(data);
    }
    return file;
  }

  static byte[] floatsLE(float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  static byte[] intsLE(int... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putInt(v);
    }
    return b.array();
  }

  static ParquetMetadata footer(Path file) throws IOException {
    try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(
        new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))) {
      return r.getFooter();
    }
  }

  static java.util.List<GenericRecord> records(Path file) throws IOException {
    java.util.List<GenericRecord> out = new java.util.ArrayList<>();
    try (ParquetReader<GenericRecord> r = AvroParquetReader.<GenericRecord>builder(HadoopInputFile.fromPath(
        new org.apache.hadoop.fs.Path(file.toUri()), new Configuration())).build()) {
      for (GenericRecord rec = r.read(); rec != null; rec = r.read()) {
        out.add(rec);
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  static float[] floats(GenericRecord r, String column) {
    java.util.List<Float> list = (java.util.List<Float>) r.get(column);
    float[] out = new float[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = list.get(i);
    }
    return out;
  }
}
