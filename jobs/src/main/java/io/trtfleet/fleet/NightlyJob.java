package io.trtfleet.fleet;

import io.trtfleet.Messages;
import io.trtfleet.quantize.CalibrationWriter;
import io.trtfleet.spark.CalibrateJob;
import io.trtfleet.spark.CalibrateOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    Path runDir = store.claimRun(o.runId());
    ArtifactStoreTargets targets = new ArtifactStoreTargets(o.publishTo(), spark.sparkContext().hadoopConfiguration());
    int swept = targets.cleanStaleStaging();
    if (swept > 0) {
      LOG.info("nightly {}: removed {} stale staging folders and locks left by crashed publishers", o.runId(), swept);
    }
    FleetPlan plan = new FleetPlanner(new Digests(spark.sparkContext().hadoopConfiguration()), targets, store)
        .plan(fleet, registry);
    LOG.info("nightly {}: {} targets, {} to build, {} calibrations to run", o.runId(), plan.targets().size(),
        plan.toBuild().size(), plan.toCalibrate().size());
    // A model that cannot be imported fails its own targets, a calibration that fails its INT8 targets; the run goes on.
    Map<String, String> brokenModels = new LinkedHashMap<>(plan.unplannable());
    Map<String, String> brokenCalibrations = new LinkedHashMap<>();
    SavedModelCache models = new SavedModelCache(SavedModelCache.defaultRoot(), spark.sparkContext().hadoopConfiguration());
    for (FleetPlan.Calibration c : plan.toCalibrate()) {
      attempt("calibration of model " + c.model().name(), brokenCalibrations, c.model(),
          () -> calibrate(spark, c, models.local(c.model(), c.key().modelDigest()), store));
    }
    Map<String, ModelInputs> inputs = new LinkedHashMap<>();
    Map<ModelSpec, String> toPrepare = new LinkedHashMap<>();
    plan.toBuild().forEach(t -> toPrepare.put(t.model(), t.key().modelDigest()));
    for (ModelSpec m : toPrepare.keySet()) {
      if (brokenModels.containsKey(m.name())) {
        continue;
      }
      attempt("model " + m.name(), brokenModels, m, () -> {
        FleetPlan.Calibration c = brokenCalibrations.containsKey(m.name()) ? null : plan.calibrations().get(m.name());
        String cache = c == null ? null : store.calibration(c.key()).orElseThrow(
            () -> new IllegalStateException("calibration " + c.key() + " missing from the store after calibrating"));
        inputs.put(m.name(), ModelPreparation.prepare(m, models.local(m, toPrepare.get(m)), c, cache,
            spark.sparkContext().hadoopConfiguration()));
      });
    }
    boolean local = spark.sparkContext().master().startsWith("local");
    List<TargetResult> results = new ArrayList<>();
    plan.targets().stream().filter(p -> !p.needsBuild())
        .forEach(p -> results.add(p.published().withStatus(TargetResult.Status.SKIPPED, "already published")));
    List<Target> buildable = new ArrayList<>();
    for (Target t : plan.toBuild()) {
      String broken = brokenModels.getOrDefault(t.model().name(),
          t.precision().quantized() ? brokenCalibrations.get(t.model().name()) : null);
      if (broken == null) {
        buildable.add(t);
      } else {
        results.add(TargetResult.unbuilt(t, TargetResult.Status.FAILED, null, broken));
      }
    }
    Map<String, String> damaged = new LinkedHashMap<>();
    plan.targets().stream().filter(p -> p.damage() != null).forEach(p -> {
      LOG.warn("{}: the published build is {}: rebuilding it", p.target().label(), p.damage());
      damaged.put(p.target().key().contentDigest() + "|" + p.target().pool().name(), p.damage());
    });
    for (TargetResult r : FleetBuildJob.run(spark, o.runId(), buildable, inputs, !local, targets)) {
      String damage = damaged.get(r.contentDigest() + "|" + r.pool());
      results.add(damage == null ? r : r.withStatus(r.status(), ("the published build was " + damage + "; "
          + r.message()).strip()));
    }
    Map<String, String> calibrationLinks = new LinkedHashMap<>();
    plan.calibrations().forEach((model, c) -> calibrationLinks.put(model, runDir.relativize(store.calibrationDir(c.key())
        .resolve("calibration").resolve(CalibrationWriter.HTML)).toString().replace('\\', '/')));
    RunReport report = new RunReport(o.runId(), (System.nanoTime() - t0) / 1e9, results, calibrationLinks,
        plan.unplannable());
    RunReportWriter.write(report, runDir);
    LOG.info("nightly {}: {}", o.runId(), report.summaryLine());
    return report;
  }

  /** Runs one model's step; a failure is recorded (one line, stack trace in the log) instead of ending the run. */
  private static void attempt(String what, Map<String, String> broken, ModelSpec m, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      LOG.error("{} failed in this run", what, e);
      broken.put(m.name(), what + ": " + Messages.forPeople(e));
    }
  }

  private static void calibrate(SparkSession spark, FleetPlan.Calibration c, Path modelDir, DirectoryStore store) {
    ModelSpec m = c.model();
    spark.sparkContext().setJobGroup("calibrate-" + m.name(), "trtfleet nightly: calibrate " + m.name(), false);
    CalibrateJob.run(spark, CalibrateOptions.builder(ModelPreparation.importOptions(m, modelDir), m.calibration().dataUri(),
        store.calibrationDir(c.key())).algorithm(m.calibration().algorithm()).samples(m.calibration().samples()).build());
    spark.sparkContext().clearJobGroup();
  }
}
