package io.trtfleet.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.trtfleet.calibrationdata.CalibrationSetWriter;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spark SQL reads what the parquet-avro writer of calibration-data writes, in the documented convention. */
class CalibrationSetWriterSparkTest {

  @TempDir
  static Path tmp;
  static SparkSession spark;

  @BeforeAll
  static void setUp() {
    spark = SparkTestSession.start("calibration-set-writer-test");
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  @Test
  void sparkReadsArrayOfFloatWithShapeMetadataLabelAndSplit() {
    Path file = tmp.resolve("set.parquet");
    try (CalibrationSetWriter w = CalibrationSetWriter.builder(file, "images", new long[] {2, 3, 1})
        .labels(true).split("calibration").build()) {
      for (int i = 0; i < 5; i++) {
        w.write(new float[] {i, i + 0.5f, 0f, 1f, -2f, 1e-3f * i}, i % 3);
      }
      w.commit();
    }

    Dataset<Row> df = spark.read().parquet(file.toUri().toString());

    StructField images = df.schema().apply("images");
    // Spark reads file sources as nullable whatever the file says; the element type is what matters.
    assertEquals(DataTypes.FloatType, ((ArrayType) images.dataType()).elementType());
    assertArrayEquals(new long[] {2, 3, 1}, images.metadata().getLongArray(CalibrationSchema.SHAPE_METADATA));
    assertEquals(DataTypes.IntegerType, df.schema().apply("label").dataType());
    assertEquals(DataTypes.StringType, df.schema().apply("split").dataType());
    assertEquals(List.of("images", "label", "split"), List.of(df.columns()));

    List<Row> rows = df.orderBy("label").collectAsList();
    assertEquals(5, rows.size());
    Row first = df.filter("label = 1").orderBy("images").first();
    assertEquals(List.of(1f, 1.5f, 0f, 1f, -2f, 1e-3f), first.getList(0));
    assertEquals("calibration", first.getString(2));
  }
}
