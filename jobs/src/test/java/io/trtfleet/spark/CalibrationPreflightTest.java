package io.trtfleet.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.TrtfleetException;
import io.trtfleet.calibrationdata.CalibrationSetWriter;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.spark.sql.types.DataType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks calibrate makes before Spark starts: footers only, no Spark session in this class. */
class CalibrationPreflightTest {

  @TempDir
  static Path tmp;
  static ImportOptions cnn;

  @BeforeAll
  static void model() {
    cnn = ImportOptions.of(TestModels.cnn(tmp.resolve("cnn")));
  }

  private static Path set(String name, String column, long[] shape) {
    Path file = tmp.resolve(name);
    try (CalibrationSetWriter w = CalibrationSetWriter.builder(file, column, shape).build()) {
      w.write(new float[(int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)]);
      w.commit();
    }
    return file;
  }

  private static List<InputColumn> check(Object data) {
    return CalibrationPreflight.check(CalibrateOptions.builder(cnn, data.toString(), tmp.resolve("out")).build(),
        Configuration::new);
  }

  private static String failure(Object data) {
    return assertThrows(TrtfleetException.class, () -> check(data)).getMessage();
  }

  @Test
  void aMatchingSetPassesWithItsShape() {
    List<InputColumn> columns = check(set("good.parquet", "images", new long[] {28, 28, 1}));
    assertEquals(1, columns.size());
    assertEquals("images", columns.get(0).column());
    assertEquals(784, columns.get(0).elementsPerSample());
  }

  @Test
  void aColumnThatDoesNotMatchTheModelIsRefusedNamingBoth() {
    String wrongName = failure(set("pixels.parquet", "pixels", new long[] {28, 28, 1}));
    assertTrue(wrongName.contains("has no column 'images' for signature input 'images' (columns: pixels)")
        && wrongName.contains("--input-map images=COLUMN"), wrongName);
    String wrongShape = failure(set("flat.parquet", "images", new long[] {784}));
    assertTrue(wrongShape.contains("declares shape [784] but input 'images' takes [28,28,1]"), wrongShape);
  }

  @Test
  void theFootersSparkSchemaIsReadAsSparkReadsIt() {
    String convention = "{\"type\":\"struct\",\"fields\":[{\"name\":\"images\",\"type\":{\"type\":\"array\","
        + "\"elementType\":\"float\",\"containsNull\":false},\"nullable\":false,\"metadata\":{\"shape\":[28,28,1]}},"
        + "{\"name\":\"raw\",\"type\":\"binary\",\"nullable\":true,\"metadata\":{}},"
        + "{\"name\":\"label\",\"type\":\"integer\",\"nullable\":false,\"metadata\":{}}]}";
    assertEquals(DataType.fromJson(convention), SparkSchemaJson.parse(convention));
    String other = "{\"type\":\"struct\",\"fields\":[{\"name\":\"s\",\"type\":{\"type\":\"struct\",\"fields\":[]},"
        + "\"nullable\":true,\"metadata\":{}},{\"name\":\"d\",\"type\":\"decimal(10,2)\",\"nullable\":true,\"metadata\":{}}]}";
    assertEquals(DataType.fromJson(other), SparkSchemaJson.parse(other), "other types: Spark's own parser");
  }

  @Test
  void missingUnreadableAndEmptySetsAreNamed() throws Exception {
    assertTrue(failure(tmp.resolve("nope")).contains("nope: it does not exist"));
    Path garbage = tmp.resolve("garbage.parquet");
    Files.write(garbage, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    assertTrue(failure(garbage).startsWith("cannot read calibration data " + garbage + " as Parquet"));
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Files.writeString(empty.resolve("_SUCCESS"), "");
    assertTrue(failure(empty).contains("holds no Parquet files"));
    assertTrue(failure("nosuchscheme://bucket/set").startsWith("cannot read calibration data nosuchscheme://"));
  }

  @Test
  void setsWithoutASparkSchemaAreConvertedAsSparkWould() throws Exception {
    // parquet-avro alone: no Spark schema in the footer, a 3-level list of floats; the folder also holds
    // what Spark leaves beside its parts.
    Path dir = Files.createDirectories(tmp.resolve("plain"));
    Files.writeString(dir.resolve("_SUCCESS"), "");
    Files.writeString(dir.resolve(".part-0.parquet.crc"), "crc");
    Schema schema = SchemaBuilder.record("Sample").fields()
        .name("images").type().array().items().floatType().noDefault().endRecord();
    Configuration conf = new Configuration();
    conf.setBoolean("parquet.avro.write-old-list-structure", false);
    try (ParquetWriter<GenericRecord> w = AvroParquetWriter.<GenericRecord>builder(
        new LocalOutputFile(dir.resolve("part-0.parquet"))).withSchema(schema).withConf(conf).build()) {
      GenericRecord r = new GenericData.Record(schema);
      r.put("images", java.util.Collections.nCopies(784, 0.5f));
      w.write(r);
    }
    assertEquals(784, check(dir).get(0).elementsPerSample());
    // Remote stores go through Hadoop's FileSystem, which must skip the same files.
    assertTrue(ParquetFooterSchema.firstDataFile(dir.toUri().toString(), new Configuration(), "calibration data")
        .toString().endsWith("/plain/part-0.parquet"));
  }
}
