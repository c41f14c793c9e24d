package io.trtfleet.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.TrtfleetException;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.quantize.CalibrationAlgorithm;
import io.trtfleet.quantize.CalibrationResult;
import io.trtfleet.quantize.CalibrationTable;
import io.trtfleet.quantize.TensorCalibration;
import io.trtfleet.testing.LogCapture;
import io.trtfleet.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrateJobTest {

  @TempDir
  static Path tmp;
  static SparkSession spark;
  static ImportOptions cnn;
  static List<Row> rows;

  @BeforeAll
  static void setUp() {
    spark = SparkTestSession.start("calibrate-test");
    cnn = ImportOptions.of(TestModels.cnn(tmp.resolve("cnn")));
    rows = CalibrationData.images(240, 17);
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  private static CalibrationResult calibrate(String data, Path out, CalibrationAlgorithm algorithm) {
    return CalibrateJob.run(spark, CalibrateOptions.builder(cnn, data, out).algorithm(algorithm).batchSize(16).build());
  }

  @Test
  void reportsWhichCollectorRan() {
    String data = CalibrationData.write(spark, rows, CalibrationData.imagesSchema(), tmp.resolve("device").toString(), 2);
    CalibrationResult cpu = CalibrateJob.run(spark, CalibrateOptions.builder(cnn, data, tmp.resolve("device-out"))
        .algorithm(CalibrationAlgorithm.MINMAX).batchSize(16)
        .device(CalibrateOptions.CalibrationDevice.CPU).build());
    assertEquals("cpu", cpu.parameters().get("calibration_device"));
    assertEquals(cpu.table(), calibrate(data, tmp.resolve("device-auto"), CalibrationAlgorithm.MINMAX).table(),
        "auto without a GPU is the CPU collector");
  }

  @Test
  void resultIsBitIdenticalForAnyPartitioningAndRowOrder() {
    String one = CalibrationData.write(spark, rows, CalibrationData.imagesSchema(), tmp.resolve("one").toString(), 1);
    List<Row> shuffled = new ArrayList<>(rows);
    Collections.shuffle(shuffled, new Random(99));
    String seven = CalibrationData.write(spark, shuffled, CalibrationData.imagesSchema(), tmp.resolve("seven").toString(), 7);
    assertEquals(7, spark.read().parquet(seven).javaRDD().getNumPartitions(), "seven files, seven partitions");

    CalibrationResult a = calibrate(one, tmp.resolve("out1"), CalibrationAlgorithm.ENTROPY);
    CalibrationResult b = calibrate(seven, tmp.resolve("out7"), CalibrationAlgorithm.ENTROPY);
    assertEquals(240, a.samples());
    assertEquals(List.of("images:0", "MaxPool:0", "Reshape:0"),
        a.tensors().stream().map(TensorCalibration::tensor).toList(), "conv1, conv2 and dense inputs");
    assertSameCalibration(a, b);
  }

  @Test
  void aSetInOneFileIsSplitAcrossTasksWithProgressAndMergesExactly() {
    String one = CalibrationData.write(spark, rows, CalibrationData.imagesSchema(), tmp.resolve("split").toString(), 1);
    CalibrationResult whole = calibrate(one, tmp.resolve("whole"), CalibrationAlgorithm.ENTROPY);
    assertEquals(1, maxTasks("trtfleet calibrate: histograms"), "240 samples: one task");
    CalibrationResult split;
    List<String> lines;
    try (LogCapture log = new LogCapture("io.trtfleet.Progress")) {
      split = CalibrateJob.run(spark, CalibrateOptions.builder(cnn, one, tmp.resolve("split-out"))
          .algorithm(CalibrationAlgorithm.ENTROPY).batchSize(16).samplesPerTask(32).build());
      lines = log.lines();
    }
    assertEquals(8, maxTasks("trtfleet calibrate: histograms"), "one file spread over 240 / 32 tasks");
    assertSameCalibration(whole, split);
    assertTrue(lines.stream().anyMatch(l -> l.matches("io.trtfleet.Progress: calibrate ranges: 240 samples in .*")),
        lines.toString());
    assertTrue(lines.stream().anyMatch(l -> l.matches(
        "io.trtfleet.Progress: calibrate histograms: 240 samples in .* \\(.* samples/s\\)")), lines.toString());
  }

  /** The most tasks any stage of the group's latest job ran. */
  private static int maxTasks(String group) {
    var tracker = spark.sparkContext().statusTracker();
    int job = java.util.Arrays.stream(tracker.getJobIdsForGroup(group)).max().orElseThrow();
    return java.util.Arrays.stream(tracker.getJobInfo(job).get().stageIds())
        .map(id -> tracker.getStageInfo(id).get().numTasks()).max().orElseThrow();
  }

  private static void assertSameCalibration(CalibrationResult a, CalibrationResult b) {
    assertEquals(a.samples(), b.samples());
    assertEquals(a.tensors().size(), b.tensors().size());
    for (int i = 0; i < a.tensors().size(); i++) {
      TensorCalibration x = a.tensors().get(i);
      TensorCalibration y = b.tensors().get(i);
      assertEquals(x.tensor(), y.tensor());
      assertArrayEquals(x.counts(), y.counts(), x.tensor());
      assertEquals(Float.floatToIntBits(x.amax()), Float.floatToIntBits(y.amax()), x.tensor());
      assertEquals(x.amaxByAlgorithm(), y.amaxByAlgorithm(), x.tensor());
    }
  }

  @Test
  void writesCacheJsonAndPlots() throws Exception {
    String data = CalibrationData.write(spark, rows, CalibrationData.imagesSchema(), tmp.resolve("d").toString(), 3);
    Path out = tmp.resolve("outputs");
    CalibrationResult r = calibrate(data, out, CalibrationAlgorithm.PERCENTILE);
    Path dir = out.resolve("calibration");
    CalibrationTable cache = CalibrationTable.read(dir.resolve("calibration.cache"));
    assertEquals("TRT-100600-PercentileCalibration", cache.header());
    for (TensorCalibration t : r.tensors()) {
      assertEquals(t.scale(), cache.scale(t.tensor()).orElseThrow(), t.tensor());
      assertTrue(t.amax() > 0 && t.amax() <= Math.max(Math.abs(t.min()), Math.abs(t.max())) + 1e-6, t.tensor());
    }
    String json = Files.readString(dir.resolve("calibration.json"));
    assertTrue(json.contains("\"sha256\"") && json.contains("\"histogram\"") && json.contains("images:0"), json.substring(0, 300));
    String html = Files.readString(dir.resolve("histograms.html"));
    assertEquals(r.tensors().size(), html.split("<svg").length - 1, "one plot per tensor");
    try (var files = Files.list(out)) {
      assertEquals(List.of("calibration"), files.map(p -> p.getFileName().toString()).toList(), "no staging left");
    }
  }

  @Test
  void nanRowsFailNamingTheColumnUnlessSkipped() throws Exception {
    List<Row> bad = new ArrayList<>(rows);
    List<Float> nan = new ArrayList<>(Collections.nCopies(784, 0.5f));
    nan.set(3, Float.NaN);
    bad.add(RowFactory.create(nan, 1));
    bad.add(RowFactory.create(new ArrayList<>(Collections.nCopies(10, 0.5f)), 2));
    String data = CalibrationData.write(spark, bad, CalibrationData.imagesSchema(), tmp.resolve("nan").toString(), 2);
    Path out = tmp.resolve("nan-out");
    TrtfleetException e = assertThrows(TrtfleetException.class, () -> calibrate(data, out, CalibrationAlgorithm.MINMAX));
    assertTrue(e.getMessage().contains("column 'images'") && e.getMessage().contains("1 of 242 rows hold NaN/Inf")
        && e.getMessage().contains("1 have the wrong element count"), e.getMessage());
    assertFalse(Files.exists(out.resolve("calibration")), "nothing written on failure");

    CalibrationResult skipped = CalibrateJob.run(spark, CalibrateOptions.builder(cnn, data, out)
        .algorithm(CalibrationAlgorithm.MINMAX).batchSize(16).onBadRows(CalibrateOptions.BadRows.SKIP).build());
    assertEquals(240, skipped.samples());
  }

  @Test
  void missingColumnAndUnreadableUriAreClear() {
    String data = CalibrationData.write(spark, rows, CalibrationData.imagesSchema(), tmp.resolve("m").toString(), 1);
    ImportOptions depthwise = ImportOptions.of(TestModels.depthwiseSeparable(tmp.resolve("dw")));
    TrtfleetException wrongShape = assertThrows(TrtfleetException.class, () -> CalibrateJob.run(spark,
        CalibrateOptions.builder(depthwise, data, tmp.resolve("x")).build()));
    assertTrue(wrongShape.getMessage().contains("240 have the wrong element count"), wrongShape.getMessage());
    TrtfleetException missing = assertThrows(TrtfleetException.class, () -> CalibrateJob.run(spark,
        CalibrateOptions.builder(cnn, data, tmp.resolve("x")).inputMap(java.util.Map.of("images", "pixels")).build()));
    assertTrue(missing.getMessage().contains("no column 'pixels'") && missing.getMessage().contains("images, label"),
        missing.getMessage());
    TrtfleetException unreadable = assertThrows(TrtfleetException.class, () -> CalibrateJob.run(spark,
        CalibrateOptions.builder(cnn, tmp.resolve("nope").toString(), tmp.resolve("x")).build()));
    assertTrue(unreadable.getMessage().startsWith("cannot read calibration data " + tmp.resolve("nope")), unreadable.getMessage());
    assertFalse(Files.exists(tmp.resolve("x")), "nothing written");
  }
}
