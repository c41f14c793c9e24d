package io.trtfleet.artifact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.CodedInputStream;
import io.trtfleet.testing.Fixtures;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TFOutOfRangeException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TString;

/** TFRecord framing and masked CRC32C, checked against TensorFlow's own files and reader. */
class TfRecordWriterTest {

  @TempDir Path tmp;

  @Test
  void crc32cOfTheStandardCheckString() {
    CRC32C crc = new CRC32C();
    crc.update("123456789".getBytes(StandardCharsets.US_ASCII));
    assertEquals(0xE3069283L, crc.getValue()); // RFC 3720 check value
  }

  /**
   * TensorFlow's checkpoint index (an SSTable) ends every block with a type byte and the masked CRC32C
   * of block plus type: a masked CRC that TensorFlow itself computed.
   */
  @Test
  void maskedCrcMatchesTheBlockTrailersOfTensorFlowsCheckpointIndex() throws Exception {
    byte[] index = Files.readAllBytes(
        Fixtures.servingModel("saved_model_half_plus_two_cpu").resolve("variables/variables.index"));
    CodedInputStream footer = CodedInputStream.newInstance(index, index.length - 48, 40);
    long[] metaindex = {footer.readRawVarint64(), footer.readRawVarint64()};
    long[] indexBlock = {footer.readRawVarint64(), footer.readRawVarint64()};
    for (long[] handle : List.of(metaindex, indexBlock)) {
      int offset = (int) handle[0];
      int size = (int) handle[1];
      int stored = ByteBuffer.wrap(index, offset + size + 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
      assertEquals(stored, TfRecordWriter.maskedCrc32c(index, offset, size + 1), "block at " + offset);
    }
  }

  @Test
  void frameIsLengthCrcDataCrc() {
    byte[] data = {1, 2, 3};
    ByteBuffer b = ByteBuffer.wrap(TfRecordWriter.frame(data)).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(8 + 4 + 3 + 4, b.capacity());
    assertEquals(3, b.getLong());
    assertEquals(TfRecordWriter.maskedCrc32c(b.array(), 0, 8), b.getInt());
    byte[] read = new byte[3];
    b.get(read);
    assertArrayEquals(data, read);
    assertEquals(TfRecordWriter.maskedCrc32c(data, 0, 3), b.getInt());
  }

  /** TensorFlow's TFRecordDataset (which verifies both CRCs of every record) reads our file back. */
  @Test
  void tensorFlowReadsTheRecordsBack() {
    byte[] big = new byte[70_000];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31);
    }
    List<byte[]> records = List.of("engine".getBytes(StandardCharsets.UTF_8), new byte[0], big);
    Path file = tmp.resolve("records.tfrecord");
    TfRecordWriter.write(file, records);
    List<byte[]> read = readWithTensorFlow(file);
    assertEquals(records.size(), read.size());
    for (int i = 0; i < records.size(); i++) {
      assertArrayEquals(records.get(i), read.get(i), "record " + i);
    }
  }

  @Test
  void tensorFlowRejectsACorruptedRecord() throws Exception {
    Path file = tmp.resolve("bad.tfrecord");
    TfRecordWriter.write(file, List.of(new byte[] {9, 9, 9, 9}));
    byte[] bytes = Files.readAllBytes(file);
    bytes[13] ^= 1; // a data byte: the data CRC no longer matches
    Files.write(file, bytes);
    assertThrows(RuntimeException.class, () -> readWithTensorFlow(file));
  }

  /** Every record of a TFRecord file, as tf.data reads it. */
  static List<byte[]> readWithTensorFlow(Path file) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operation dataset = tf.scope().opBuilder("TFRecordDataset", "dataset")
          .addInput(tf.constant(file.toString()).asOutput())
          .addInput(tf.constant("").asOutput())
          .addInput(tf.constant(0L).asOutput())
          .build();
      Operation iterator = tf.scope().opBuilder("Iterator", "iterator")
          .setAttr("shared_name", "records").setAttr("container", "")
          .setAttr("output_types", new DataType[] {DataType.DT_STRING})
          .setAttr("output_shapes", new Shape[] {Shape.scalar()})
          .build();
      tf.scope().opBuilder("MakeIterator", "make_iterator")
          .addInput(dataset.output(0)).addInput(iterator.output(0)).build();
      tf.scope().opBuilder("IteratorGetNext", "next").addInput(iterator.output(0))
          .setAttr("output_types", new DataType[] {DataType.DT_STRING})
          .setAttr("output_shapes", new Shape[] {Shape.scalar()})
          .build();
      try (Session s = new Session(g)) {
        s.runner().addTarget("make_iterator").run().close();
        List<byte[]> out = new ArrayList<>();
        while (true) {
          try (Result r = s.runner().fetch("next").run()) {
            out.add(((TString) r.get(0)).asBytes().getObject());
          } catch (TFOutOfRangeException end) {
            return out;
          }
        }
      }
    }
  }
}
