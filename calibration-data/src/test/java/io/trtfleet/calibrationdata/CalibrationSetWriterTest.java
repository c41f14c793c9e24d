package io.trtfleet.calibrationdata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trtfleet.TrtfleetException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationSetWriterTest {

  @TempDir Path tmp;

  private Path write(Path file, int rows) {
    try (CalibrationSetWriter w = CalibrationSetWriter.builder(file, "images", new long[] {2, 2, 1})
        .labels(true).split("calibration").provenance("input", "test").build()) {
      for (int i = 0; i < rows; i++) {
        w.write(new float[] {i, 0.25f, -1f, i / 3f}, i % 2);
      }
      return w.commit();
    }
  }

  @Test
  void writesTheStandardThreeLevelListAndShapeMetadata() throws IOException {
    Path file = write(tmp.resolve("set.parquet"), 3);

    ParquetMetadata footer = TestFiles.footer(file);
    String schema = footer.getFileMetaData().getSchema().toString();
    assertTrue(schema.contains("required group images (LIST) {\n    repeated group list {\n      required float element;"),
        schema);
    assertTrue(schema.contains("required int32 label;") && schema.contains("required binary split (STRING);"), schema);
    Map<String, String> kv = footer.getFileMetaData().getKeyValueMetaData();
    JsonNode spark = new ObjectMapper().readTree(kv.get(CalibrationSetWriter.SPARK_SCHEMA_KEY));
    assertEquals("[2,2,1]", spark.get("fields").get(0).get("metadata").get("shape").toString());
    JsonNode ours = new ObjectMapper().readTree(kv.get(CalibrationSetWriter.METADATA_KEY));
    assertEquals("[2,2,1]", ours.get("columns").get("images").get("shape").toString());
    assertEquals("calibration", ours.get("split").asText());
    assertEquals("test", ours.get("source").get("input").asText());
    assertEquals(CompressionCodecName.ZSTD, footer.getBlocks().get(0).getColumns().get(0).getCodec());
  }

  @Test
  void rowsRoundTripThroughAvro() throws IOException {
    Path file = write(tmp.resolve("set.parquet"), 4);

    List<GenericRecord> rows = TestFiles.records(file);

    assertEquals(4, rows.size());
    assertArrayEquals(new float[] {3, 0.25f, -1f, 1f}, TestFiles.floats(rows.get(3), "images"));
    assertEquals(1, rows.get(3).get("label"));
    assertEquals("calibration", rows.get(3).get("split").toString());
  }

  @Test
  void sameRowsGiveTheSameContentAndNoSideFiles() throws IOException {
    Path a = write(tmp.resolve("a.parquet"), 10);
    Path b = write(tmp.resolve("b.parquet"), 10);
    // Not compared byte for byte: parquet-mr lists a chunk's encodings from a HashSet of enums, whose order
    // can change from one JVM to the next.
    assertEquals(TestFiles.records(a).toString(), TestFiles.records(b).toString());
    assertEquals(TestFiles.footer(a).getFileMetaData().getKeyValueMetaData(),
        TestFiles.footer(b).getFileMetaData().getKeyValueMetaData());
    try (Stream<Path> files = Files.list(tmp)) {
      assertEquals(List.of("a.parquet", "b.parquet"), files.map(p -> p.getFileName().toString()).sorted().toList(),
          "no .crc or temporary files");
    }
  }

  @Test
  void withoutCommitNothingIsLeft() throws IOException {
    Path file = tmp.resolve("abandoned.parquet");
    try (CalibrationSetWriter w = CalibrationSetWriter.builder(file, "x", new long[] {1}).build()) {
      w.write(new float[] {1});
    }
    try (Stream<Path> files = Files.list(tmp)) {
      assertEquals(0, files.count());
    }
  }

  @Test
  void refusesToOverwriteUnlessAsked() throws IOException {
    Path file = write(tmp.resolve("set.parquet"), 2);
    TrtfleetException e = assertThrows(TrtfleetException.class, () -> write(file, 3));
    assertTrue(e.getMessage().contains("exists: pass --overwrite"), e.getMessage());

    try (CalibrationSetWriter w = CalibrationSetWriter.builder(file, "x", new long[] {1}).overwrite(true).build()) {
      w.write(new float[] {7});
      w.commit();
    }
    assertEquals(1, TestFiles.records(file).size());
  }

  @Test
  void checksNamesShapesAndSampleSizes() {
    Path file = tmp.resolve("x.parquet");
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> CalibrationSetWriter.builder(file, "serving_default_x:0", new long[] {1}).build())
        .getMessage().contains("--input-map"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> CalibrationSetWriter.builder(file, "label", new long[] {1}).build()).getMessage().contains("reserved"));
    assertThrows(IllegalArgumentException.class, () -> CalibrationSetWriter.builder(file, "x", new long[] {0}).build());
    try (CalibrationSetWriter w = CalibrationSetWriter.builder(file, "x", new long[] {2, 2}).build()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.write(new float[3]));
      assertEquals("Invalid sample for column 'x': 3 values, the shape needs 4", e.getMessage());
      assertThrows(IllegalStateException.class, () -> w.write(new float[4], 1), "no label column");
    }
    assertFalse(Files.exists(file));
  }

  @Test
  void compressionNames() {
    assertEquals(CompressionCodecName.UNCOMPRESSED, CalibrationSetWriter.compression("none"));
    assertEquals(CompressionCodecName.SNAPPY, CalibrationSetWriter.compression("Snappy"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> CalibrationSetWriter.compression("lzo"))
        .getMessage().contains("zstd, snappy"));
  }
}
