package io.trtfleet.fleet;

import io.trtfleet.FileTrees;
import io.trtfleet.Messages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.spark.SparkEnv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One target in a Spark task: skip if published (tasks are idempotent: a retry or a rerun finds the key),
 * take and check the GPU, build, apply the accuracy gate, publish. A failure becomes this target's FAILED
 * result (logged with its stack trace), so the other targets of the run go on.
 */
public final class BuildTask {

  private static final Logger LOG = LoggerFactory.getLogger(BuildTask.class);

  private BuildTask() {}

  public static TargetResult run(Target target, ModelInputs inputs, boolean gpuScheduling, TargetBuilder builder,
      ArtifactStoreTargets store) {
    String executor = SparkEnv.get() == null ? "driver" : SparkEnv.get().executorId();
    GpuAssignment none = GpuAssignment.none(target.pool().resource(), executor, GpuCheck.hostName());
    Optional<TargetResult> published = store.published(target.key());
    if (published.isPresent()) {
      return published.get().withStatus(TargetResult.Status.SKIPPED, "already published").withWorker(none.worker());
    }
    GpuAssignment gpu = none;
    Path out = null;
    try {
      gpu = gpuScheduling ? GpuCheck.claim(target.pool()) : none;
      out = Files.createTempDirectory("trtfleet-target-");
      TargetResult built = builder.build(target, inputs, gpu, out);
      TargetResult gated = gate(target, built);
      if (gated.status() == TargetResult.Status.BUILT) {
        store.publish(target.key(), gated, out);
      }
      LOG.info("{}: {} {}", target.label(), gated.status(), gated.message());
      return gated;
    } catch (RuntimeException | IOException e) {
      LOG.error("{} failed on executor {} ({})", target.label(), executor, gpu, e);
      return TargetResult.failed(target, gpu.worker(), Messages.rootFirstLine(e));
    } finally {
      deleteQuietlyLogged(out);
    }
  }

  /** GATE_FAILED when the top-1 drop against TensorFlow FP32 exceeds the model's gate for the precision. */
  static TargetResult gate(Target target, TargetResult r) {
    Double max = target.model().maxTop1Drop().get(target.precision());
    if (max == null) {
      return r;
    }
    double drop = r.referenceTop1() - r.top1();
    if (!(drop <= max + 1e-12)) {
      return r.withStatus(TargetResult.Status.GATE_FAILED, String.format(java.util.Locale.ROOT,
          "top-1 drop %.4f exceeds the gate %.4f for %s: not published", drop, max, target.precision()));
    }
    return r;
  }

  private static void deleteQuietlyLogged(Path dir) {
    if (dir == null) {
      return;
    }
    try {
      FileTrees.deleteTree(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the task's work folder " + dir, e);
    }
  }
}
