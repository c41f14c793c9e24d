package io.trtfleet.fleet;

import io.trtfleet.FileTrees;
import io.trtfleet.Messages;
import io.trtfleet.TrtfleetException;
import io.trtfleet.convert.OptimizationProfile;
import io.trtfleet.graph.Signature;
import io.trtfleet.pipeline.BuildOutcome;
import io.trtfleet.pipeline.BuildSettings;
import io.trtfleet.pipeline.ModelUnderBuild;
import io.trtfleet.pipeline.OnnxRuntimeBackend;
import io.trtfleet.pipeline.PrecisionBuild;
import io.trtfleet.pipeline.SegmentBackend;
import io.trtfleet.pipeline.TensorRtBackend;
import io.trtfleet.tensorrt.DeviceIdentity;
import io.trtfleet.tensorrt.EngineBuildConfig;
import io.trtfleet.tensorrt.TensorRt;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.spark.SparkEnv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One target in a Spark task, through the same stages as {@code trtfleet build} ({@link PrecisionBuild}):
 * skip it when its key is published; get the backend its pool builds with (the pool's GPU, checked to be
 * the pool's type and TensorRT version, or ONNX Runtime on the CPU); build every segment, validate and
 * benchmark; publish when the build may be. A GPU target on an executor without the pool's GPU is
 * NOT_BUILT and publishes nothing. A failure becomes this target's FAILED result (logged with its stack
 * trace), so the other targets of the run go on.
 */
public final class BuildTask {

  private static final Logger LOG = LoggerFactory.getLogger(BuildTask.class);

  private BuildTask() {}

  /** @param run the nightly run's id, recorded with what it publishes */
  public static TargetResult run(String run, Target target, ModelInputs inputs, boolean gpuScheduling,
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
      SegmentBackend backend;
      if (target.pool().needsGpu()) {
        Optional<GpuAssignment> claimed = gpuScheduling ? Optional.of(GpuCheck.claim(target.pool()))
            : GpuCheck.local(target.pool(), executor);
        if (claimed.isEmpty()) {
          String why = "not built: no executor with a GPU of pool " + target.pool().name() + " ("
              + (gpuScheduling ? "none was assigned" : "this local run sees no " + target.pool().gpuName() + " GPU")
              + "); nothing published under " + target.key().deviceKey();
          LOG.warn("{}: {}", target.label(), why);
          return TargetResult.unbuilt(target, TargetResult.Status.NOT_BUILT, none.worker(), why);
        }
        gpu = claimed.get();
        backend = new TensorRtBackend(device(target, gpu), EngineBuildConfig.builder("FP32")
            .imageBinding(target.model().imageBinding()).build(), false);
      } else {
        backend = new OnnxRuntimeBackend(target.pool().executorCores());
      }
      out = Files.createTempDirectory("trtfleet-target-");
      TargetResult result = build(run, target, inputs, backend, gpu, out.resolve("build"), store);
      LOG.info("{}: {} {}", target.label(), result.status(), result.message());
      return result;
    } catch (RuntimeException | IOException e) {
      LOG.error("{} failed on executor {} ({})", target.label(), executor, gpu, e);
      return TargetResult.unbuilt(target, TargetResult.Status.FAILED, gpu.worker(), Messages.forPeople(e));
    } finally {
      deleteTree(out);
    }
  }

  private static TargetResult build(String run, Target target, ModelInputs inputs, SegmentBackend backend,
      GpuAssignment gpu, Path dir, ArtifactStoreTargets store) {
    ModelUnderBuild model = inputs.modelUnderBuild();
    PrintWriter log = LogLines.of(LOG, target.label());
    BuildOutcome outcome;
    // One build at a time per GPU: local runs give every task the host's GPUs.
    synchronized (GpuCheck.lock(gpu)) {
      outcome = new PrecisionBuild(model, backend, settings(target.model(), model.graph().signature()), log)
          .run(target.precision(), target.precision().quantized() ? inputs.calibrationTable() : null,
              inputs.heldOut(), target.model().gate(target.precision()), dir);
    }
    TargetResult result = TargetResult.of(target, outcome, gpu.worker());
    if (result.status() != TargetResult.Status.BUILT) {
      return result;
    }
    ArtifactStoreTargets.Committed committed = store.publish(run, target, result, dir, outcome, inputs, backend.device());
    if (!committed.run().equals(run)) {
      return committed.result().withStatus(TargetResult.Status.SKIPPED, "published by run " + committed.run()
          + " while this run built it; this run's build was discarded");
    }
    return result;
  }

  /** The GPU the task was given, refused when it is not the pool's type or TensorRT version. */
  private static DeviceIdentity device(Target target, GpuAssignment gpu) {
    TensorRt.unavailableReason().ifPresent(why -> {
      throw new TrtfleetException(target.label() + ": executor " + gpu.executorId() + " on " + gpu.host() + " has GPU "
          + gpu.address() + " of pool " + target.pool().name() + ", but TensorRT cannot run there: " + why);
    });
    DeviceIdentity device = TensorRt.identify(Integer.parseInt(gpu.address()));
    if (!device.deviceKey().equals(target.pool().deviceKey()) || !device.tensorRtKey().equals(target.key().backend())) {
      throw new TrtfleetException(target.label() + ": GPU " + gpu.address() + " on " + gpu.host() + " is "
          + device.deviceKey() + " with " + device.tensorRtKey() + ", but pool " + target.pool().name() + " declares "
          + target.pool().deviceKey() + " with " + target.key().backend() + ": fix conf/fleet.yaml or the host");
    }
    return device;
  }

  /**
   * models.yaml profiles (keyed by signature input) as explicit profiles keyed by tensor name; their batch
   * dimensions are also the batch sizes other segments' profiles cover and benchmarks run at.
   */
  static BuildSettings settings(ModelSpec model, Signature sig) {
    if (model.profiles().isEmpty()) {
      return BuildSettings.builder().build();
    }
    Map<String, String> tensorOf = new LinkedHashMap<>();
    sig.inputs().forEach(a -> tensorOf.put(a.key(), a.tensor().name()));
    List<OptimizationProfile> profiles = new ArrayList<>();
    TreeSet<Integer> batches = new TreeSet<>();
    for (OptimizationProfile p : model.profiles()) {
      Map<String, OptimizationProfile.Dims> dims = new LinkedHashMap<>();
      p.inputs().forEach((key, d) -> {
        String tensor = tensorOf.get(key);
        if (tensor == null) {
          throw new TrtfleetException("model " + model.name() + ": profile input '" + key + "' is not a signature input"
              + " (inputs: " + tensorOf.keySet() + ")");
        }
        dims.put(tensor, d);
        for (long[] s : new long[][] {d.min(), d.opt(), d.max()}) {
          batches.add((int) s[0]);
        }
      });
      profiles.add(new OptimizationProfile(dims));
    }
    return BuildSettings.builder().profiles(profiles).batchSizes(List.copyOf(batches)).build();
  }

  private static void deleteTree(Path dir) {
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
