package io.trtfleet.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.TrtfleetException;
import io.trtfleet.spark.SparkTestSession;
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

/** Planning and incrementality of the nightly job in local mode, on the bundled sample (ONNX Runtime on CPU). */
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
          - {name: gpu-h100, gpu_name: H100, device: h100-80gb-hbm3.sm90, tensorrt: 10.6.0}
          - {name: gpu-h200, gpu_name: H200, device: h200.sm90, tensorrt: %s}
        """.formatted(h200Trt);
  }

  static String modelsYaml(String precisions, String gates) {
    return """
        models:
          - name: fashion-mnist-cnn
            model: %s
            precisions: %s
            calibration: {data: %s, algorithm: minmax, samples: 300}
            validation: {data: %s, samples: 300}
            gates: {max_top1_drop: %s}
            pools: [gpu-h100, gpu-h200]
        """.formatted(SAMPLES.resolve("fashion-mnist-cnn/saved_model"), precisions,
        SAMPLES.resolve("fashion-mnist/calibration.parquet"), SAMPLES.resolve("fashion-mnist/validation.parquet"), gates);
  }

  @Test
  void rerunBuildsNothingAndOnlyChangedTargetsRebuild() throws IOException {
    Path fleet = Files.writeString(dir.resolve("fleet.yaml"), fleetYaml("10.6.0"));
    Path models = Files.writeString(dir.resolve("models.yaml"), modelsYaml("[FP32, INT8]", "{INT8: 0.05}"));
    Path store = dir.resolve("store");

    RunReport first = NightlyJob.run(spark, new NightlyOptions(fleet, models, store, store.resolve("artifacts").toUri(), "auto", "r1"));
    assertEquals(4, first.count(TargetResult.Status.BUILT), first.toString());
    assertFalse(first.anyFailed());
    for (TargetResult r : first.results()) {
      assertEquals(OnnxCpuBuilder.BACKEND, r.backend());
      assertTrue(r.top1() > 0.8, r.toString());
      assertTrue(r.opsConvertedPercent() > 50, r.toString());
      assertTrue(r.throughput() > 0, r.toString());
    }
    assertEquals(1, calibrations(store));
    assertTrue(Files.isRegularFile(store.resolve("runs/r1/report.html")));
    String html = Files.readString(store.resolve("runs/r1/report.html"));
    assertTrue(html.contains("<svg") && html.contains("models/fashion-mnist-cnn.html") && html.contains("calibration"));
    assertTrue(Files.isRegularFile(store.resolve("runs/r1/models/fashion-mnist-cnn.html")));
    assertTrue(Files.isRegularFile(store.resolve("runs/r1/report.json")));

    // Nothing changed: every target skipped, no calibration.
    RunReport second = NightlyJob.run(spark, new NightlyOptions(fleet, models, store, store.resolve("artifacts").toUri(), "auto", "r2"));
    assertEquals(4, second.count(TargetResult.Status.SKIPPED));
    assertEquals(1, calibrations(store));

    // A new TensorRT version on one pool: that pool's targets only, and no recalibration.
    Files.writeString(fleet, fleetYaml("10.7.0"));
    RunReport third = NightlyJob.run(spark, new NightlyOptions(fleet, models, store, store.resolve("artifacts").toUri(), "auto", "r3"));
    assertEquals(2, third.count(TargetResult.Status.BUILT));
    assertTrue(third.results().stream().filter(r -> r.status() == TargetResult.Status.BUILT)
        .allMatch(r -> r.pool().equals("gpu-h200") && r.trtVersion().equals("trt-10.7.0")));
    assertEquals(1, calibrations(store));
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
    assertEquals(6, plan.targets().size());
    assertEquals(6, plan.toBuild().size());
    assertEquals(1, plan.toCalibrate().size());
    Map<String, FleetTargetKey> keys = new java.util.HashMap<>();
    plan.targets().forEach(p -> keys.put(p.target().pool().name() + "/" + p.target().precision(), p.target().key()));
    assertEquals(6, keys.values().stream().map(FleetTargetKey::contentDigest).distinct().count()
        + 3);  // the same content on both pools: pools differ by device key, not by content
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
  }

  @Test
  void aFailingTargetDoesNotStopTheOthers() throws IOException {
    Path fleetFile = Files.writeString(dir.resolve("fleet.yaml"), fleetYaml("10.6.0"));
    Path models = Files.writeString(dir.resolve("models.yaml"), modelsYaml("[FP32]", "{}"));
    FleetConfig fleet = FleetConfig.load(fleetFile);
    DirectoryStore store = new DirectoryStore(dir.resolve("store"));
    ArtifactStoreTargets targets = artifacts();
    FleetPlan plan = new FleetPlanner(new Digests(spark.sparkContext().hadoopConfiguration()), targets, store)
        .plan(fleet, ModelRegistry.load(models, fleet));
    ModelSpec m = plan.targets().get(0).target().model();
    ModelInputs inputs = ModelPreparation.prepare(spark, m, null);
    List<TargetResult> results = FleetBuildJob.run(spark, plan.toBuild(), Map.of(m.name(), inputs), false,
        new FailOnH200(), targets);
    TargetResult h100 = results.stream().filter(r -> r.pool().equals("gpu-h100")).findFirst().orElseThrow();
    TargetResult h200 = results.stream().filter(r -> r.pool().equals("gpu-h200")).findFirst().orElseThrow();
    assertEquals(TargetResult.Status.BUILT, h100.status());
    assertEquals(TargetResult.Status.FAILED, h200.status());
    assertTrue(h200.message().contains("no H200 today"), h200.message());
    assertTrue(targets.published(plan.toBuild().stream().filter(t -> t.pool().name().equals("gpu-h200")).findFirst()
        .orElseThrow().key()).isEmpty());
  }

  /** Fails every gpu-h200 target; builds the others on the CPU. */
  static final class FailOnH200 implements TargetBuilder {
    @Override
    public TargetResult build(Target target, ModelInputs inputs, GpuAssignment gpu, Path out) {
      if (target.pool().name().equals("gpu-h200")) {
        throw new TrtfleetException("no H200 today");
      }
      return new OnnxCpuBuilder().build(target, inputs, gpu, out);
    }
  }

  @Test
  void gpuCheckRefusesTheWrongGpuType() {
    GpuPool h100 = new GpuPool("gpu-h100", "H100", "h100-80gb-hbm3.sm90", "10.6.0", 1, "1g");
    GpuAssignment ok = GpuCheck.check(h100, "1", Map.of("0", "NVIDIA A100", "1", "NVIDIA H100 80GB HBM3"), "3", "w1");
    assertEquals("NVIDIA H100 80GB HBM3", ok.gpuName());
    String m = org.junit.jupiter.api.Assertions.assertThrows(TrtfleetException.class,
        () -> GpuCheck.check(h100, "0", Map.of("0", "NVIDIA A100"), "3", "w1")).getMessage();
    assertTrue(m.contains("GPU 0 'NVIDIA A100', which does not match the pool's gpu_name 'H100'"), m);
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
