package io.trtfleet.fleet;

import io.trtfleet.Messages;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.resource.ExecutorResourceRequests;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.ResourceProfileBuilder;
import org.apache.spark.resource.TaskResourceRequests;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the builds of a plan: one Spark job per pool, all pools at once, one task per target. With
 * {@code gpuScheduling}, each GPU pool's RDD carries a ResourceProfile asking for one of the pool's GPUs
 * per executor and per task, so its tasks run only on executors of workers that declare that resource
 * (stage-level scheduling; needs dynamic allocation). Without it (local mode, which ignores custom
 * resources) a GPU pool's tasks use this host's GPUs of the pool's type, if it has any. CPU pools'
 * tasks run on any executor.
 */
public final class FleetBuildJob {

  private static final Logger LOG = LoggerFactory.getLogger(FleetBuildJob.class);

  private FleetBuildJob() {}

  public static List<TargetResult> run(SparkSession spark, String run, List<Target> targets,
      Map<String, ModelInputs> inputs, boolean gpuScheduling, ArtifactStoreTargets store) {
    if (targets.isEmpty()) {
      return List.of();
    }
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<Map<String, ModelInputs>> shared = sc.broadcast(new LinkedHashMap<>(inputs));
    Map<String, List<Target>> byPool = new LinkedHashMap<>();
    targets.forEach(t -> byPool.computeIfAbsent(t.pool().name(), p -> new ArrayList<>()).add(t));
    Map<String, JavaFutureAction<List<TargetResult>>> jobs = new LinkedHashMap<>();
    for (Map.Entry<String, List<Target>> e : byPool.entrySet()) {
      List<Target> ts = e.getValue();
      Pool pool = ts.get(0).pool();
      JavaRDD<Target> rdd = sc.parallelize(ts, ts.size());
      if (gpuScheduling && pool.needsGpu()) {
        rdd = rdd.withResources(profile(pool));
      }
      sc.setJobDescription("trtfleet nightly: " + ts.size() + " builds on " + pool.name());
      jobs.put(e.getKey(), rdd.map(t -> BuildTask.run(run, t, shared.value().get(t.model().name()), gpuScheduling, store))
          .collectAsync());
    }
    sc.setJobDescription(null);
    List<TargetResult> results = new ArrayList<>();
    for (Map.Entry<String, JavaFutureAction<List<TargetResult>>> e : jobs.entrySet()) {
      try {
        results.addAll(e.getValue().get());
      } catch (java.util.concurrent.ExecutionException ex) {
        // Tasks catch their own failures; a failed job means Spark could not run them at all.
        LOG.error("the builds of pool {} failed as a whole", e.getKey(), ex);
        String why = "Spark could not run the pool's builds: " + Messages.forPeople(ex);
        byPool.get(e.getKey()).forEach(t -> results.add(TargetResult.unbuilt(t, TargetResult.Status.FAILED, null, why)));
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the builds of " + e.getKey(), ex);
      }
    }
    shared.destroy();
    return results;
  }

  /**
   * The pool's GPUs per executor (with its discovery script and vendor, for YARN and Kubernetes), one GPU
   * and the executor's cores divided among its GPUs per task.
   */
  static ResourceProfile profile(Pool pool) {
    Pool.GpuResources r = pool.resources();
    ExecutorResourceRequests executor = new ExecutorResourceRequests().cores(pool.executorCores())
        .memory(pool.executorMemory()).resource(pool.resource(), r.gpusPerExecutor(), r.discoveryScript(), r.vendor());
    TaskResourceRequests task = new TaskResourceRequests()
        .cpus(Math.max(1, pool.executorCores() / r.gpusPerExecutor())).resource(pool.resource(), 1.0);
    return new ResourceProfileBuilder().require(executor).require(task).build();
  }
}
