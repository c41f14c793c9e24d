package io.trtfleet.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.TrtfleetException;
import io.trtfleet.spark.SparkTestSession;
import io.trtfleet.tensorrt.TensorRt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nightly job in local mode on this CPU-only machine, on the bundled sample: CPU targets are built by
 * the same stages as trtfleet build and published under device key cpu; GPU targets are reported as not
 * built and nothing is published under their keys; reruns build nothing; a broken model fails only its
 * own targets.
 */
class FleetLocalTest {

  static final Path SAMPLES = FakeGpus.ROOT.resolve("calibration-data/samples");
  static SparkSession spark;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("FleetLocalTest");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static String fleetYaml(String h200Trt) {
    return """
        pools:
          - {name: cpu, backend: onnxruntime}
          - {name: gpu-h100, gpu_name: H100, device: h100-80gb-hbm3.sm90, tensorrt: 10.6.0}
          - {name: gpu-h200, gpu_name: H200, device: h200.sm90, tensorrt: %s}
        """.formatted(h200Trt);
  }

  static String modelsYaml(String precisions, String gates) {
    return modelYaml("fashion-mnist-cnn", SAMPLES.resolve("fashion-mnist-cnn/saved_model"), precisions, gates,
        "[cpu, gpu-h100, gpu-h200]");
  }

  static String modelYaml(String name, Path model, String precisions, String gates, String pools) {
    return """
        models:
          - name: %s
            model: %s
            precisions: %s
            calibration: {data: %s, algorithm: minmax, samples: 300}
            validation: {data: %s, samples: 300}
            gates: {max_top1_drop: %s}
            pools: %s
        """.formatted(name, model, precisions, SAMPLES.resolve("fashion-mnist/calibration.parquet"),
        SAMPLES.resolve("fashion-mnist/validation.parquet"), gates, pools);
  }

  @Test
  void cpuTargetsPublishUnderTheirOwnKeyAndGpuTargetsWaitForAGpu() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(TensorRt.unavailableReason().isPresent(),
        "this machine has a GPU: the GPU targets would build");
    Path fleet = Files.writeString(dir.resolve("fleet.yaml"), fleetYaml("10.6.0"));
    Path models = Files.writeString(dir.resolve("models.yaml"), modelsYaml("[FP32, INT8]", "{INT8: 0.05}"));
    Path store = dir.resolve("store");

    RunReport first = NightlyJob.run(spark, options(fleet, models, store, "r1"));
    assertEquals(2, first.count(TargetResult.Status.BUILT), first.toString());
    assertEquals(4, first.count(TargetResult.Status.NOT_BUILT), first.toString());
    assertFalse(first.anyFailed(), first.toString());
    for (TargetResult r : first.results()) {
      if (r.pool().equals("cpu")) {
        assertEquals("cpu", r.deviceKey());
        assertTrue(r.backend().startsWith("onnxruntime-"), r.backend());
        assertTrue(r.top1() > 0.8, r.toString());
        assertTrue(r.opsConvertedPercent() > 50, r.toString());
        assertEquals(0, r.engines(), "ONNX Runtime builds no engines");
        assertTrue(r.segments() >= 1, r.toString());
      } else {
        assertTrue(r.message().startsWith("not built: no executor with a GPU of pool " + r.pool()), r.message());
      }
    }
    try (Stream<Path> files = Files.walk(store.resolve("artifacts"))) {
      List<String> published = files.map(p -> store.resolve("artifacts").relativize(p).toString()).toList();
      assertTrue(published.stream().noneMatch(p -> p.contains("sm90") || p.contains("trt-")), published.toString());
      assertTrue(published.stream().anyMatch(p -> p.matches(".*onnxruntime-[^/]+/cpu/INT8/saved_model/saved_model.pb")),
          published.toString());
      assertTrue(published.stream().anyMatch(p -> p.matches(".*/cpu/INT8/onnx/TRTEngineOp_\\d+_\\d+\\.onnx")),
          published.toString());
    }
    assertEquals(1, calibrations(store));
    String html = Files.readString(store.resolve("runs/r1/report.html"));
    assertTrue(html.contains("not built: no executor with a GPU of pool gpu-h100"), html);
    assertTrue(html.contains("href=\"models/fashion-mnist-cnn.html\"") && html.contains("../../calibrations/"), html);
    assertFalse(html.contains("file:"), "links are relative");
    assertTrue(Files.isRegularFile(store.resolve("runs/r1/models/fashion-mnist-cnn.html")));
    assertTrue(Files.isRegularFile(store.resolve("runs/r1/report.json")));

    // Nothing changed: CPU targets skipped, GPU targets still wait (a CPU run never blocks them), no calibration.
    RunReport second = NightlyJob.run(spark, options(fleet, models, store, "r2"));
    assertEquals(2, second.count(TargetResult.Status.SKIPPED));
    assertEquals(4, second.count(TargetResult.Status.NOT_BUILT));
    assertEquals(1, calibrations(store));

    // A damaged artifact (a truncated ONNX file) is never skipped: the next run rebuilds and replaces it.
    Path onnx;
    try (Stream<Path> files = Files.walk(store.resolve("artifacts"))) {
      onnx = files.filter(p -> p.toString().matches(".*/cpu/INT8/onnx/.*\\.onnx")).findFirst().orElseThrow();
    }
    Files.write(onnx, java.util.Arrays.copyOf(Files.readAllBytes(onnx), 100));
    RunReport third = NightlyJob.run(spark, options(fleet, models, store, "r3"));
    TargetResult rebuilt = third.results().stream().filter(r -> r.pool().equals("cpu") && r.precision().equals("INT8"))
        .findFirst().orElseThrow();
    assertEquals(TargetResult.Status.BUILT, rebuilt.status(), third.toString());
    assertTrue(rebuilt.message().startsWith("the published build was corrupt: ") && rebuilt.message().contains("onnx"),
        rebuilt.message());
    assertEquals(1, third.count(TargetResult.Status.SKIPPED), "the intact FP32 build is still skipped");
    assertTrue(Files.size(onnx) > 100, "the damaged file was replaced");
  }

  @Test
  void planKeysFollowTheirInputs() throws IOException {
    Path fleetFile = Files.writeString(dir.resolve("fleet.yaml"), fleetYaml("10.6.0"));
    Path models = Files.writeString(dir.resolve("models.yaml"), modelsYaml("[FP32, FP16, INT8]", "{}"));
    FleetConfig fleet = FleetConfig.load(fleetFile);
    DirectoryStore store = new DirectoryStore(dir.resolve("store"));
    ArtifactStoreTargets targets = artifacts();
    Digests digests = new Digests(spark.sparkContext().hadoopConfiguration());
    FleetPlan plan = new FleetPlanner(digests, targets, store).plan(fleet, ModelRegistry.load(models, fleet));
    assertEquals(9, plan.targets().size());
    assertEquals(9, plan.toBuild().size());
    assertEquals(1, plan.toCalibrate().size());
    Map<String, FleetTargetKey> keys = new java.util.HashMap<>();
    plan.targets().forEach(p -> keys.put(p.target().pool().name() + "/" + p.target().precision(), p.target().key()));
    // the same content on every pool: pools differ by backend and device key, not by content
    assertEquals(3, keys.values().stream().map(FleetTargetKey::contentDigest).distinct().count());
    assertEquals("cpu", keys.get("cpu/FP32").deviceKey());
    assertEquals(FleetTargetKey.NO_CALIBRATION, keys.get("gpu-h100/FP32").calibrationDigest());
    assertFalse(keys.get("gpu-h100/INT8").calibrationDigest().equals(FleetTargetKey.NO_CALIBRATION));

    // Other calibration data: only INT8 keys change.
    Path otherData = dir.resolve("cal-copy.parquet");
    Files.copy(SAMPLES.resolve("fashion-mnist/validation.parquet"), otherData);
    Path models2 = Files.writeString(dir.resolve("models2.yaml"), modelsYaml("[FP32, FP16, INT8]", "{}")
        .replace(SAMPLES.resolve("fashion-mnist/calibration.parquet").toString(), otherData.toString()));
    FleetPlan plan2 = new FleetPlanner(digests, targets, store).plan(fleet, ModelRegistry.load(models2, fleet));
    for (FleetPlan.Planned p : plan2.targets()) {
      FleetTargetKey before = keys.get(p.target().pool().name() + "/" + p.target().precision());
      assertEquals(p.target().precision().quantized(), !before.equals(p.target().key()), p.target().label());
    }

    // A new TensorRT version on one pool: only that pool's keys change.
    FleetConfig newer = FleetConfig.load(Files.writeString(dir.resolve("fleet2.yaml"), fleetYaml("10.7.0")));
    for (FleetPlan.Planned p : new FleetPlanner(digests, targets, store).plan(newer, ModelRegistry.load(models, newer))
        .targets()) {
      FleetTargetKey before = keys.get(p.target().pool().name() + "/" + p.target().precision());
      assertEquals(p.target().pool().name().equals("gpu-h200"), !before.equals(p.target().key()), p.target().label());
    }
  }

  @Test
  void aBrokenModelFailsOnlyItsOwnTargets() throws IOException {
    Path broken = Files.createDirectories(dir.resolve("broken/saved_model"));
    byte[] pb = Files.readAllBytes(SAMPLES.resolve("fashion-mnist-cnn/saved_model/saved_model.pb"));
    Files.write(broken.resolve("saved_model.pb"), java.util.Arrays.copyOf(pb, pb.length / 3));
    Path fleet = Files.writeString(dir.resolve("fleet.yaml"), "pools:\n  - {name: cpu, backend: onnxruntime}\n");
    String good = modelYaml("good", SAMPLES.resolve("fashion-mnist-cnn/saved_model"), "[FP32]", "{}", "[cpu]");
    String bad = modelYaml("bad", broken, "[FP32]", "{}", "[cpu]").replace("models:\n", "");
    Path models = Files.writeString(dir.resolve("models.yaml"), good + bad);
    RunReport report = NightlyJob.run(spark, options(fleet, models, dir.resolve("store"), "b1"));
    TargetResult ok = report.results().stream().filter(r -> r.model().equals("good")).findFirst().orElseThrow();
    TargetResult failed = report.results().stream().filter(r -> r.model().equals("bad")).findFirst().orElseThrow();
    assertEquals(TargetResult.Status.BUILT, ok.status(), ok.toString());
    assertEquals(TargetResult.Status.FAILED, failed.status());
    assertTrue(failed.message().startsWith("model bad: ") && failed.message().contains("saved_model.pb"),
        failed.message());
    assertFalse(failed.message().contains("\n"), failed.message());
    assertTrue(report.anyFailed());
  }

  @Test
  void twoNightliesAtOnceCommitEachTargetOnceAndReportOnlyWhatTheyCommitted() throws Exception {
    Path fleet = Files.writeString(dir.resolve("fleet.yaml"), "pools:\n  - {name: cpu, backend: onnxruntime}\n");
    Path models = Files.writeString(dir.resolve("models.yaml"), modelYaml("cnn",
        SAMPLES.resolve("fashion-mnist-cnn/saved_model"), "[FP32, FP16]", "{}", "[cpu]"));
    Path store = dir.resolve("store");
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    List<java.util.concurrent.Future<RunReport>> runs = List.of(
        pool.submit(() -> NightlyJob.run(spark, options(fleet, models, store, "c1"))),
        pool.submit(() -> NightlyJob.run(spark, options(fleet, models, store, "c2"))));
    List<RunReport> reports = new java.util.ArrayList<>();
    for (var r : runs) {
      reports.add(r.get());
    }
    pool.shutdown();
    io.trtfleet.store.ArtifactStore artifacts = io.trtfleet.store.ArtifactStore.open(store.resolve("artifacts").toUri(),
        new org.apache.hadoop.conf.Configuration());
    List<io.trtfleet.store.IndexEntry> listed = artifacts.list(java.util.Optional.of("cnn")).entries();
    assertEquals(2, listed.size(), listed.toString());
    for (String precision : List.of("FP32", "FP16")) {
      List<String> builtBy = reports.stream().filter(r -> r.results().stream().anyMatch(t -> t.precision().equals(
          precision) && t.status() == TargetResult.Status.BUILT)).map(RunReport::runId).toList();
      assertEquals(1, builtBy.size(), precision + " built by " + builtBy + ": " + reports);
      io.trtfleet.store.IndexEntry e = listed.stream().filter(x -> x.precision().equals(precision)).findFirst()
          .orElseThrow();
      io.trtfleet.store.Manifest m = artifacts.manifest(e.key()).orElseThrow();
      assertEquals(builtBy.get(0), m.validation().path(ArtifactStoreTargets.RUN_FIELD).asText(),
          "the run that reports BUILT is the one whose build the store holds");
    }
    reports.forEach(r -> r.results().stream().filter(t -> t.status() == TargetResult.Status.SKIPPED)
        .forEach(t -> assertTrue(t.message().equals("already published") || t.message().contains("was discarded"),
            t.message())));
  }

  @Test
  void ofTwoBuildsOfOneTargetAtOnceOnlyOneIsCommittedAndTheOtherSaysItWasDiscarded() throws Exception {
    Path fleetFile = Files.writeString(dir.resolve("fleet.yaml"), "pools:\n  - {name: cpu, backend: onnxruntime}\n");
    Path models = Files.writeString(dir.resolve("models.yaml"), modelYaml("cnn",
        SAMPLES.resolve("fashion-mnist-cnn/saved_model"), "[FP32]", "{}", "[cpu]"));
    FleetConfig fleet = FleetConfig.load(fleetFile);
    ArtifactStoreTargets targets = artifacts();
    FleetPlan plan = new FleetPlanner(new Digests(spark.sparkContext().hadoopConfiguration()), targets,
        new DirectoryStore(dir.resolve("store"))).plan(fleet, ModelRegistry.load(models, fleet));
    Target t = plan.toBuild().get(0);
    ModelInputs inputs = ModelPreparation.prepare(t.model(), Path.of(t.model().modelUri()), null, null,
        spark.sparkContext().hadoopConfiguration());
    java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    List<java.util.concurrent.Future<TargetResult>> builds = List.of("a", "b").stream().map(run -> pool.submit(() -> {
      start.await();
      return BuildTask.run(run, t, inputs, false, targets);
    })).toList();
    List<TargetResult> results = new java.util.ArrayList<>();
    for (var b : builds) {
      results.add(b.get());
    }
    pool.shutdown();
    assertEquals(1, results.stream().filter(r -> r.status() == TargetResult.Status.BUILT).count(), results.toString());
    TargetResult other = results.stream().filter(r -> r.status() != TargetResult.Status.BUILT).findFirst().orElseThrow();
    assertEquals(TargetResult.Status.SKIPPED, other.status(), other.toString());
    assertTrue(other.message().contains("while this run built it; this run's build was discarded")
        || other.message().equals("already published"), other.message());
  }

  @Test
  void gpuCheckRefusesTheWrongGpuType() {
    Pool h100 = Pool.gpu("gpu-h100", "H100", "h100-80gb-hbm3.sm90", "10.6.0", 1, "1g");
    GpuAssignment ok = GpuCheck.check(h100, "1", Map.of("0", "NVIDIA A100", "1", "NVIDIA H100 80GB HBM3"), "3", "w1");
    assertEquals("NVIDIA H100 80GB HBM3", ok.gpuName());
    String m = assertThrows(TrtfleetException.class,
        () -> GpuCheck.check(h100, "0", Map.of("0", "NVIDIA A100"), "3", "w1")).getMessage();
    assertTrue(m.contains("GPU 0 'NVIDIA A100', which does not match the pool's gpu_name 'H100'"), m);
  }

  static NightlyOptions options(Path fleet, Path models, Path store, String runId) {
    return new NightlyOptions(fleet, models, store, store.resolve("artifacts").toUri(), runId);
  }

  private ArtifactStoreTargets artifacts() {
    return new ArtifactStoreTargets(dir.resolve("store/artifacts").toUri(), spark.sparkContext().hadoopConfiguration());
  }

  private static long calibrations(Path store) throws IOException {
    Path dir = store.resolve("calibrations/fashion-mnist-cnn");
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }
}
