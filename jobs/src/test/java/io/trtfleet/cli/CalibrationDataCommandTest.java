package io.trtfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.cli.InspectCommandTest.Run;
import io.trtfleet.spark.SparkTestSession;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code trtfleet calibration-data import|validate} end to end, against the committed sample model and
 * calibration sets. One Spark session for the class: validate uses a running session and leaves it running.
 */
class CalibrationDataCommandTest {

  private static final Path ROOT = Path.of(System.getProperty("trtfleet.root", ".."));
  private static final Path SAMPLES = ROOT.resolve("calibration-data/samples");
  private static final Path MODEL = SAMPLES.resolve("fashion-mnist-cnn/saved_model");

  @TempDir
  static Path tmp;
  static SparkSession spark;

  @BeforeAll
  static void setUp() {
    spark = SparkTestSession.start("calibration-data-command-test");
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  private static Run validate(String data, String... more) {
    List<String> args = new ArrayList<>(List.of("calibration-data", "validate", "--model", MODEL.toString(), "--data", data));
    Collections.addAll(args, more);
    return InspectCommandTest.cli(args.toArray(String[]::new));
  }

  private static StructType schema(String column) {
    return new StructType().add(column, DataTypes.createArrayType(DataTypes.FloatType)).add("label", DataTypes.IntegerType);
  }

  /** n Fashion-MNIST-shaped rows written with Spark (no shape metadata), labels i % 10; edit() may spoil some. */
  private static String sparkSet(String name, String column, int n, java.util.function.BiFunction<Integer, List<Float>, List<Float>> edit) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<Float> px = new ArrayList<>(Collections.nCopies(784, 0.5f));
      px.set(i % 784, 1f);
      rows.add(RowFactory.create(edit.apply(i, px), i % 10));
    }
    String path = tmp.resolve(name).toString();
    spark.createDataFrame(rows, schema(column)).coalesce(1).write().parquet(path);
    return path;
  }

  private static void assertOneErrorLine(Run r, String... parts) {
    assertEquals(Main.EXIT_BAD_INPUT, r.exit(), r.out() + r.err());
    List<String> errors = r.err().lines().filter(l -> l.startsWith("error: ")).toList();
    assertEquals(1, errors.size(), r.err());
    for (String p : parts) {
      assertTrue(errors.get(0).contains(p), errors.get(0));
    }
  }

  @Test
  void committedSamplesAreValidForTheCommittedModel() {
    for (String set : List.of("calibration", "validation")) {
      Path file = SAMPLES.resolve("fashion-mnist/" + set + ".parquet");
      Run r = validate(file.toUri().toString());

      assertEquals(0, r.exit(), r.out() + r.err());
      assertTrue(r.out().contains("Calibration data " + file.toUri() + ": 2000 rows"), r.out());
      assertTrue(r.out().matches("(?s).*images\\s+images\\s+array\\s+float\\s+\\[28,28,1]\\s+2000\\s+0\\s+0\\s+0\\s+0\\.000\\s+1\\.000\\s.*"),
          r.out());
      assertTrue(r.out().contains("Class balance (label, 10 classes)") && r.out().contains("200   10.0%"), r.out());
      assertTrue(r.out().contains("Splits: " + set + " 2000"), r.out());
      assertTrue(r.out().contains("OK: schema matches signature serving_default"), r.out());
      assertEquals("", r.err());
    }
  }

  @Test
  void importFromIdxThenValidateWarnsAboutATinySet() throws IOException {
    Path images = tmp.resolve("idx/tiny-images-idx3-ubyte");
    Files.createDirectories(images.getParent());
    byte[] pixels = new byte[30 * 784];
    byte[] labels = new byte[30];
    for (int i = 0; i < 30; i++) {
      pixels[i * 784 + i] = (byte) 255;
      labels[i] = (byte) (i % 3);
    }
    idx(images, new int[] {30, 28, 28}, pixels);
    idx(tmp.resolve("idx/tiny-labels-idx1-ubyte"), new int[] {30}, labels);
    Path out = tmp.resolve("tiny.parquet");

    Run imported = InspectCommandTest.cli("calibration-data", "import", "--format", "idx", "--input", images.toString(),
        "--out", out.toString(), "--sample", "12", "--stratify-by", "label", "--seed", "1", "--split", "calibration");

    assertEquals(0, imported.exit(), imported.err());
    assertTrue(imported.out().contains("Wrote " + out + ": 12 of 30 samples"), imported.out());
    assertTrue(imported.out().contains("column images: array<float>, shape [28,28,1]; split 'calibration'"), imported.out());
    assertTrue(imported.out().contains("labels: 3 classes: 0=4, 1=4, 2=4"), imported.out());

    Run checked = validate(out.toString());
    assertEquals(0, checked.exit(), checked.out() + checked.err());
    assertTrue(checked.err().startsWith("warning: only 12 samples in " + out), checked.err());
    assertTrue(checked.out().contains("OK: "), checked.out());

    Run strict = validate(out.toString(), "--strict");
    assertOneErrorLine(strict, "only 12 samples", "(--strict)");
  }

  @Test
  void missingColumnNamesTheInputAndTheMapping() {
    String data = sparkSet("pixels", "pixels", 3, (i, px) -> px);
    Run r = validate(data);
    assertOneErrorLine(r, "has no column 'images' for signature input 'images' (columns: pixels, label)",
        "--input-map images=COLUMN");

    Run mapped = validate(data, "--input-map", "images=pixels", "--min-samples", "3");
    assertEquals(0, mapped.exit(), mapped.err());
  }

  @Test
  void wrongElementCountsAndNaNAreCountedAndFail() {
    String data = sparkSet("bad", "images", 50, (i, px) -> i < 3 ? px.subList(0, 783) : i == 7 ? withNaN(px) : px);
    Run r = validate(data);

    assertTrue(r.out().matches("(?s).*images\\s+images\\s+array\\s+float\\s+\\[28,28,1]\\s+50\\s+4\\s+3\\s+1\\s.*"), r.out());
    assertTrue(r.out().contains("NOT USABLE: 2 problem(s)"), r.out());
    assertOneErrorLine(r, "is not a usable calibration set",
        "column 'images': 3 of 50 rows are null or do not hold 784 elements (shape [28,28,1])",
        "column 'images': 1 of 50 rows hold NaN/Inf");
  }

  private static List<Float> withNaN(List<Float> px) {
    px.set(100, Float.NaN);
    return px;
  }

  @Test
  void wrongDtypeShapeMetadataAndEmptySetsFail() throws IOException {
    String strings = tmp.resolve("strings").toString();
    spark.createDataFrame(List.of(RowFactory.create(List.of("a"))),
        new StructType().add("images", DataTypes.createArrayType(DataTypes.StringType))).write().parquet(strings);
    assertOneErrorLine(validate(strings), "column 'images' of " + strings + " is array<string>",
        "needs array<float|int|bigint|double> (flattened sample) or binary");

    Path flat = tmp.resolve("flat.parquet");
    Path csv = Files.writeString(tmp.resolve("flat.csv"), "0.5,".repeat(783) + "0.5\n");
    assertEquals(0, InspectCommandTest.cli("calibration-data", "import", "--format", "csv", "--input", csv.toString(),
        "--out", flat.toString()).exit());
    assertOneErrorLine(validate(flat.toString()), "declares shape [784] but input 'images' takes [28,28,1] per sample");

    String empty = sparkSet("empty", "images", 0, (i, px) -> px);
    assertOneErrorLine(validate(empty), "has no rows");
  }

  @Test
  void unreadableDataIsOneErrorLine() throws IOException {
    String missing = tmp.resolve("nope.parquet").toString();
    assertOneErrorLine(validate(missing), "cannot read calibration data " + missing + " as Parquet");

    Path garbage = Files.writeString(tmp.resolve("garbage.parquet"), "not parquet at all");
    assertOneErrorLine(validate(garbage.toString()), "cannot read calibration data " + garbage);
  }

  @Test
  void importReportsBadOptionsAsOneErrorLine() {
    Run r = InspectCommandTest.cli("calibration-data", "import", "--format", "png", "--input", "x", "--out", "y.parquet");
    assertOneErrorLine(r, "Invalid --format 'png': use idx, npy or csv");

    Run s = InspectCommandTest.cli("calibration-data", "import", "--format", "csv", "--input", "x.csv", "--out", "y.parquet",
        "--stratify-by", "class", "--sample", "3");
    assertOneErrorLine(s, "Invalid --stratify-by 'class': only label is supported");
  }

  @Test
  void committedValidationSetIsWhatTheDocumentedImportWrites() {
    Path dir = io.trtfleet.testing.Datasets.fashionMnist();
    Path out = tmp.resolve("regenerated-validation.parquet");
    // The command of calibration-data/samples/fashion-mnist/README.md.
    Run r = InspectCommandTest.cli("calibration-data", "import", "--format", "idx",
        "--input", dir.resolve("t10k-images-idx3-ubyte.gz").toString(),
        "--labels", dir.resolve("t10k-labels-idx1-ubyte.gz").toString(),
        "--shape", "28,28,1", "--sample", "2000", "--stratify-by", "label", "--seed", "42", "--split", "validation",
        "--out", out.toString());
    assertEquals(0, r.exit(), r.err());
    List<Row> fresh = spark.read().parquet(out.toString()).collectAsList();
    List<Row> committed = spark.read().parquet(SAMPLES.resolve("fashion-mnist/validation.parquet").toString()).collectAsList();
    assertEquals(committed, fresh, "validation.parquet differs from a fresh import: regenerate it (samples/fashion-mnist/README.md)");
  }

  private static void idx(Path file, int[] dims, byte[] data) throws IOException {
    try (OutputStream f = Files.newOutputStream(file); DataOutputStream out = new DataOutputStream(f)) {
      out.writeInt(0x00000800 | dims.length);
      for (int d : dims) {
        out.writeInt(d);
      }
      out.write(data);
    }
  }
}
