package io.trtfleet.fleet;

import io.trtfleet.spark.CalibrateJob;
import io.trtfleet.spark.CalibrateOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nightly fleet run: plan every target, recalibrate the models whose model or calibration data
 * changed, build what is not published (on the pools' GPUs), publish, and write the run report. A rerun
 * with nothing changed plans, finds every key published and builds nothing.
 *
 * <p>Started by {@code trtfleet nightly} (spark-submit class {@code io.trtfleet.cli.Main}).
 */
public final class NightlyJob {

  private static final Logger LOG = LoggerFactory.getLogger(NightlyJob.class);

  private NightlyJob() {}

  public static RunReport run(SparkSession spark, NightlyOptions o) {
    long t0 = System.nanoTime();
    FleetConfig fleet = FleetConfig.load(o.fleet());
    ModelRegistry registry = ModelRegistry.load(o.models(), fleet);
    DirectoryStore store = new DirectoryStore(o.store());
    ArtifactStoreTargets targets = new ArtifactStoreTargets(o.publishTo(), spark.sparkContext().hadoopConfiguration());
    FleetPlan plan = new FleetPlanner(new Digests(spark.sparkContext().hadoopConfiguration()), targets, store)
        .plan(fleet, registry);
    LOG.info("nightly {}: {} targets, {} to build, {} calibrations to run", o.runId(), plan.targets().size(),
        plan.toBuild().size(), plan.toCalibrate().size());
    for (FleetPlan.Calibration c : plan.toCalibrate()) {
      calibrate(spark, c, store);
    }
    Map<String, ModelInputs> inputs = new LinkedHashMap<>();
    Set<ModelSpec> models = new LinkedHashSet<>();
    plan.toBuild().forEach(t -> models.add(t.model()));
    for (ModelSpec m : models) {
      FleetPlan.Calibration c = plan.calibrations().get(m.name());
      String cache = c == null ? null : store.calibration(c.key()).orElseThrow(
          () -> new IllegalStateException("calibration " + c.key() + " missing from the store after calibrating"));
      inputs.put(m.name(), ModelPreparation.prepare(spark, m, cache));
    }
    boolean local = spark.sparkContext().master().startsWith("local");
    TargetBuilder builder = builder(o.builder(), local);
    List<TargetResult> results = new ArrayList<>();
    plan.targets().stream().filter(p -> !p.needsBuild())
        .forEach(p -> results.add(p.published().withStatus(TargetResult.Status.SKIPPED, "already published")));
    results.addAll(FleetBuildJob.run(spark, plan.toBuild(), inputs, !local, builder, targets));
    Map<String, String> calibrationLinks = new LinkedHashMap<>();
    plan.calibrations().forEach((model, c) -> calibrationLinks.put(model, store.calibrationDir(c.key())
        .resolve("calibration").resolve(io.trtfleet.quantize.CalibrationWriter.HTML).toUri().toString()));
    RunReport report = new RunReport(o.runId(), (System.nanoTime() - t0) / 1e9, results, calibrationLinks);
    RunReportWriter.write(report, store.runDir(o.runId()));
    LOG.info("nightly {}: {}", o.runId(), report.summaryLine());
    return report;
  }

  private static void calibrate(SparkSession spark, FleetPlan.Calibration c, DirectoryStore store) {
    ModelSpec m = c.model();
    spark.sparkContext().setJobGroup("calibrate-" + m.name(), "trtfleet nightly: calibrate " + m.name(), false);
    CalibrateJob.run(spark, CalibrateOptions.builder(ModelPreparation.importOptions(m), m.calibration().dataUri(),
        store.calibrationDir(c.key())).algorithm(m.calibration().algorithm()).samples(m.calibration().samples()).build());
    spark.sparkContext().clearJobGroup();
  }

  /** "auto": TensorRT on a cluster when the driver can see it is meant for GPUs, else ONNX Runtime on CPU. */
  static TargetBuilder builder(String name, boolean local) {
    return switch (name) {
      case "cpu" -> new OnnxCpuBuilder();
      case "tensorrt" -> new TensorRtTargetBuilder();
      default -> local ? new OnnxCpuBuilder()
          : new TensorRtTargetBuilder();
    };
  }
}
