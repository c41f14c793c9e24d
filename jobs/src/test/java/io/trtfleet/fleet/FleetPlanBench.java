package io.trtfleet.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.trtfleet.Precision;
import io.trtfleet.store.ArtifactStore;
import io.trtfleet.store.Publication;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * Plan + skip at fleet scale, metadata only: N models (copies of the sample SavedModel, each made unique)
 * x 4 pools x 3 precisions, all already published; times the planning alone and a whole nightly rerun
 * (which must build nothing). {@code scripts/bench jobs io.trtfleet.fleet.FleetPlanBench [MODELS]}.
 */
public final class FleetPlanBench {

  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws IOException {
    int models = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    Path dir = Files.createTempDirectory("fleet-bench-");
    Path samples = FakeGpus.ROOT.resolve("calibration-data/samples");
    StringBuilder fleet = new StringBuilder("pools:\n");
    String[][] pools = {{"gpu-h100", "H100", "h100-80gb-hbm3.sm90"}, {"gpu-h200", "H200", "h200.sm90"},
        {"gpu-a100", "A100", "a100-sxm4-80gb.sm80"}, {"gpu-t4", "T4", "t4.sm75"}};
    for (String[] p : pools) {
      fleet.append(String.format("  - {name: %s, gpu_name: %s, device: %s, tensorrt: 10.6.0}%n", p[0], p[1], p[2]));
    }
    StringBuilder reg = new StringBuilder("models:\n");
    for (int i = 0; i < models; i++) {
      Path m = dir.resolve("models/m" + i);
      copyTree(samples.resolve("fashion-mnist-cnn/saved_model"), m);
      Files.writeString(Files.createDirectories(m.resolve("assets")).resolve("id.txt"), "model " + i);
      reg.append(String.format("""
            - name: m%d
              model: %s
              precisions: [FP32, FP16, INT8]
              calibration: {data: %s, algorithm: entropy}
              validation: {data: %s}
              pools: [gpu-h100, gpu-h200, gpu-a100, gpu-t4]
          """, i, m, samples.resolve("fashion-mnist/calibration.parquet"),
          samples.resolve("fashion-mnist/validation.parquet")));
    }
    Path fleetFile = Files.writeString(dir.resolve("fleet.yaml"), fleet);
    Path modelsFile = Files.writeString(dir.resolve("models.yaml"), reg);
    DirectoryStore fleetDir = new DirectoryStore(dir.resolve("store"));
    SparkSession spark = io.trtfleet.spark.SparkTestSession.start("FleetPlanBench");
    try {
      java.net.URI artifactsUri = dir.resolve("store/artifacts").toUri();
      ArtifactStoreTargets targets = new ArtifactStoreTargets(artifactsUri, spark.sparkContext().hadoopConfiguration());
      ArtifactStore store = ArtifactStore.open(artifactsUri, spark.sparkContext().hadoopConfiguration());
      Path files = Files.createDirectories(dir.resolve("files"));
      Files.writeString(files.resolve("note.txt"), "metadata-only bench target");
      FleetConfig fc = FleetConfig.load(fleetFile);
      FleetPlan first = new FleetPlanner(new Digests(spark.sparkContext().hadoopConfiguration()), targets, fleetDir)
          .plan(fc, ModelRegistry.load(modelsFile, fc));
      for (FleetPlan.Planned p : first.targets()) {  // publish metadata only: as if an earlier night built them
        Target t = p.target();
        TargetResult result = new TargetResult(t.model().name(), t.pool().name(), t.key().backend(),
            t.key().deviceKey(), t.precision().name(), t.key().contentDigest(), TargetResult.Status.BUILT, "bench", 1,
            1, 100, 0.9, 0.9, 1000, 1, null, "");
        store.publish(ArtifactStoreTargets.storeKey(t.key()), Publication.builder()
            .file("report/note.txt", files.resolve("note.txt"))
            .validation(JSON.createObjectNode().set(ArtifactStoreTargets.RESULT_FIELD, JSON.valueToTree(result))).build());
      }
      long t0 = System.nanoTime();
      FleetConfig fc2 = FleetConfig.load(fleetFile);
      FleetPlan plan = new FleetPlanner(new Digests(spark.sparkContext().hadoopConfiguration()), targets, fleetDir)
          .plan(fc2, ModelRegistry.load(modelsFile, fc2));
      double planSeconds = (System.nanoTime() - t0) / 1e9;
      long t1 = System.nanoTime();
      RunReport rerun = NightlyJob.run(spark, new NightlyOptions(fleetFile, modelsFile, fleetDir.root(), artifactsUri, "bench"));
      double rerunSeconds = (System.nanoTime() - t1) / 1e9;
      System.out.printf(Locale.ROOT, "%d models x %d pools x %d precisions = %d targets (%d to build)%n", models,
          pools.length, Precision.values().length - 1, plan.targets().size(), plan.toBuild().size());
      System.out.printf(Locale.ROOT, "plan (digests of %d SavedModels + store lookups): %.2f s%n", models, planSeconds);
      System.out.printf(Locale.ROOT, "nightly rerun, nothing changed (load, plan, skip, report): %.2f s; %s%n",
          rerunSeconds, rerun.summaryLine());
      if (rerun.count(TargetResult.Status.SKIPPED) != plan.targets().size()) {
        throw new IllegalStateException("the rerun built something: " + rerun.summaryLine());
      }
    } finally {
      spark.stop();
      io.trtfleet.FileTrees.deleteTree(dir);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path d = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(d);
        } else {
          Files.copy(p, d);
        }
      }
    }
  }
}
