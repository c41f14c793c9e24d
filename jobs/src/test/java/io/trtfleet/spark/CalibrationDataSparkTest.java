package io.trtfleet.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.TrtfleetException;
import io.trtfleet.calibrationdata.CalibrationSetWriter;
import io.trtfleet.graph.Signature;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.quantize.CalibrationResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
import org.tensorflow.proto.DataType;

/**
 * Spark SQL reads what the parquet-avro writer of calibration-data writes, in the documented convention;
 * {@link CalibrationDataValidation} on signatures the sample model does not cover (integer inputs,
 * unknown dimensions).
 */
class CalibrationDataSparkTest {

  @TempDir
  static Path tmp;
  static SparkSession spark;

  @BeforeAll
  static void setUp() {
    spark = SparkTestSession.start("calibration-data-spark-test");
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

  private static Signature signature(String key, DataType dtype, long... shape) {
    return new Signature("serving_default", "tensorflow/serving/predict",
        List.of(new Signature.Argument(key, new TensorSpec(key + ":0", dtype, shape))), List.of());
  }

  @Test
  void unknownDimensionsComeFromTheShapeMetadata() {
    Path file = tmp.resolve("dynamic.parquet");
    try (CalibrationSetWriter w = CalibrationSetWriter.builder(file, "x", new long[] {2, 3}).build()) {
      w.write(new float[] {1, 2, 3, 4, 5, 6});
      w.commit();
    }
    String uri = file.toUri().toString();

    CalibrationDataValidation.Result r = CalibrationDataValidation.run(spark,
        signature("x", DataType.DT_FLOAT, -1, -1, 3), uri, Map.of(), 1);

    assertTrue(r.ok(), r.problems().toString());
    assertArrayEquals(new long[] {2, 3}, r.inputs().get(0).sampleShape());
    assertEquals(6, r.inputs().get(0).elementsPerSample());
    assertEquals(List.of(), r.warnings());

    TrtfleetException other = assertThrows(TrtfleetException.class, () -> CalibrationDataValidation.run(spark,
        signature("x", DataType.DT_FLOAT, -1, 4, -1), uri, Map.of(), 1));
    assertTrue(other.getMessage().contains("declares shape [2,3] but input 'x' takes [4,3] per sample"), other.getMessage());
  }

  /** A set folder holding one good file of x: array<float>[4] and {@code bad} under the name {@code name}. */
  private static String setWith(String dir, String name, java.util.function.Consumer<Path> bad) throws Exception {
    Path set = java.nio.file.Files.createDirectories(tmp.resolve(dir));
    try (CalibrationSetWriter w = CalibrationSetWriter.builder(set.resolve("good.parquet"), "x", new long[] {4})
        .build()) {
      for (int i = 0; i < 50; i++) {
        w.write(new float[] {i, 1, 2, 3});
      }
      w.commit();
    }
    bad.accept(set.resolve(name));
    return set.toUri().toString();
  }

  @Test
  void aBadFileInASetIsOneLineNamingIt() throws Exception {
    // A file whose column has another type: Spark takes one file's schema and fails on the other.
    Path other = tmp.resolve("other-schema");
    spark.createDataFrame(List.of(org.apache.spark.sql.RowFactory.create("not a tensor")),
        new org.apache.spark.sql.types.StructType().add("x", org.apache.spark.sql.types.DataTypes.StringType))
        .coalesce(1).write().parquet(other.toString());
    Path part;
    try (var files = java.nio.file.Files.list(other)) {
      part = files.filter(f -> f.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    java.util.function.Consumer<Path> copyPart = to -> {
      try {
        java.nio.file.Files.copy(part, to);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
    java.util.function.Consumer<Path> garbage = to -> {
      try {
        byte[] b = new byte[5000];
        new java.util.Random(1).nextBytes(b);
        java.nio.file.Files.write(to, b);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
    java.util.function.Consumer<Path> text = to -> {
      try {
        java.nio.file.Files.writeString(to, "a,b\n1,2\n");
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    cases.put(setWith("mixed", "zz-other.parquet", copyPart), "zz-other.parquet");
    cases.put(setWith("garbage", "part-0.parquet", garbage), "part-0.parquet");
    cases.put(setWith("text", "data.csv", text), "data.csv");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      TrtfleetException e = assertThrows(TrtfleetException.class, () -> CalibrationDataValidation.run(spark,
          signature("x", DataType.DT_FLOAT, -1, 4), c.getKey(), Map.of(), 1), c.getKey());
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
      assertTrue(e.getMessage().contains(c.getValue()) && e.getMessage().contains(c.getKey()), e.getMessage());
      System.out.println(c.getValue() + ": " + e.getMessage());
    }
  }

  @Test
  void floatArraysForIntegerInputsAreAWrongDtype() {
    Path file = tmp.resolve("ids.parquet");
    try (CalibrationSetWriter w = CalibrationSetWriter.builder(file, "ids", new long[] {4}).build()) {
      w.write(new float[] {1, 2, 3, 4});
      w.commit();
    }
    TrtfleetException e = assertThrows(TrtfleetException.class, () -> CalibrationDataValidation.run(spark,
        signature("ids", DataType.DT_INT32, -1, 4), file.toUri().toString(), Map.of(), 1));
    assertEquals("column 'ids' of " + file.toUri() + " is array<float> but input 'ids' is int32: store integer"
        + " inputs as array<int> or array<bigint>", e.getMessage());
  }

  @Test
  void underRepresentedClassesAndFewSamplesAreWarningsNotProblems() {
    Path file = tmp.resolve("skewed.parquet");
    try (CalibrationSetWriter w = CalibrationSetWriter.builder(file, "x", new long[] {1}).labels(true).build()) {
      for (int i = 0; i < 40; i++) {
        w.write(new float[] {i}, i < 36 ? 0 : 1);
      }
      w.commit();
    }
    CalibrationDataValidation.Result r = CalibrationDataValidation.run(spark, signature("x", DataType.DT_FLOAT, -1, 1),
        file.toUri().toString(), Map.of(), 500);

    assertTrue(r.ok());
    assertEquals(Map.of("0", 36L, "1", 4L), r.report().labels());
    assertEquals(2, r.warnings().size(), r.warnings().toString());
    assertTrue(r.warnings().get(0).startsWith("only 40 samples in "), r.warnings().get(0));
    assertTrue(r.warnings().get(1).contains("under-represented classes") && r.warnings().get(1).contains("1 (4)"),
        r.warnings().get(1));
  }

  @Test
  void committedCalibrationSetCalibratesTheSampleModel() {
    Path root = Path.of(System.getProperty("trtfleet.root", ".."));
    Path model = root.resolve("calibration-data/samples/fashion-mnist-cnn/saved_model");
    String data = root.resolve("calibration-data/samples/fashion-mnist/calibration.parquet").toUri().toString();

    CalibrationResult r = CalibrateJob.run(spark,
        CalibrateOptions.builder(ImportOptions.of(model), data, tmp.resolve("calibrated")).build());

    assertEquals(2000, r.samples());
    assertEquals(List.of("images:0", "pool1:0", "flatten:0", "Relu:0"), r.tensors().stream().map(t -> t.tensor()).toList());
    assertEquals(1.0f, r.tensors().get(0).max(), "pixels / 255 reach exactly 1");
    assertEquals(0.0f, r.tensors().get(0).min());
    assertTrue(r.tensors().stream().noneMatch(t -> t.allZero()), r.allZeroTensors().toString());
  }
}
