package io.trtfleet.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.store.ArtifactStore;
import io.trtfleet.store.IndexEntry;
import io.trtfleet.store.Manifest;
import io.trtfleet.store.Verification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An executor killed (SIGKILL) in the middle of a target's build, on a real multi-process standalone
 * cluster: Spark retries the task on another executor, the target is built once, and the store holds one
 * complete, verified build of it (nothing the killed attempt wrote is visible).
 */
class FleetExecutorLossTest {

  @TempDir
  Path dir;

  @Test
  void aBuildWhoseExecutorIsKilledIsRetriedAndPublishedWhole() throws Exception {
    Path fleet = Files.writeString(dir.resolve("fleet.yaml"), "pools:\n  - {name: cpu, backend: onnxruntime}\n");
    Path models = Files.writeString(dir.resolve("models.yaml"), FleetLocalTest.modelYaml("cnn",
        FleetLocalTest.SAMPLES.resolve("fashion-mnist-cnn/saved_model"), "[FP32]", "{}", "[cpu]"));
    Path tmp = Files.createDirectories(dir.resolve("executor-tmp"));
    try (StandaloneCluster cluster = new StandaloneCluster(dir.resolve("cluster"),
        List.of(StandaloneCluster.WorkerSpec.cpuOnly("cpu-worker")))) {
      SparkSession spark = cluster.session("FleetExecutorLossTest", 1, "768m",
          Map.of("spark.executor.extraJavaOptions", "-Djava.io.tmpdir=" + tmp));
      Map<Long, String> running = new ConcurrentHashMap<>();
      List<String> failures = new CopyOnWriteArrayList<>();
      spark.sparkContext().addSparkListener(new SparkListener() {
        @Override
        public void onTaskStart(SparkListenerTaskStart e) {
          running.put(e.taskInfo().taskId(), e.taskInfo().executorId());
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd e) {
          running.remove(e.taskInfo().taskId());
          if (!e.reason().toString().equals("Success")) {
            failures.add(e.reason().toString());
          }
        }
      });
      Thread killer = new Thread(() -> killWhenBuilding(tmp, running), "executor-killer");
      killer.setDaemon(true);
      killer.start();
      RunReport report;
      try {
        report = NightlyJob.run(spark, FleetLocalTest.options(fleet, models, dir.resolve("store"), "kill"));
      } finally {
        spark.stop();
      }
      killer.join(1000);
      String where = report.results() + "\n" + failures + "\n" + cluster.logs();
      assertTrue(failures.stream().anyMatch(f -> f.contains("ExecutorLost")), "an executor was lost mid-build: " + where);
      assertEquals(1, report.count(TargetResult.Status.BUILT), where);

      ArtifactStore store = ArtifactStore.open(dir.resolve("store/artifacts").toUri(), new Configuration());
      List<IndexEntry> listed = store.list(Optional.of("cnn")).entries();
      assertEquals(1, listed.size(), listed.toString());
      IndexEntry e = listed.get(0);
      Verification v = store.verify(e.key());
      assertTrue(v.ok(), v.describe());
      Manifest m = v.manifest().orElseThrow();
      assertTrue(m.good());
      Path build = dir.resolve("store/artifacts").resolve(e.manifest()).getParent();
      try (Stream<Path> files = Files.walk(build)) {
        assertEquals(m.files().size() + 1, files.filter(Files::isRegularFile)
            .filter(p -> !p.getFileName().toString().startsWith(".")).count(), "only the manifest and its files");
      }
    }
  }

  /** SIGKILLs the executors running tasks once a build has converted its first segment. */
  private static void killWhenBuilding(Path tmp, Map<Long, String> running) {
    long deadline = System.currentTimeMillis() + 240_000;
    while (System.currentTimeMillis() < deadline) {
      try (Stream<Path> files = Files.walk(tmp)) {
        if (files.anyMatch(p -> p.toString().endsWith(".onnx"))) {
          for (String executor : running.values()) {
            ProcessHandle.allProcesses().filter(p -> isExecutor(p, executor)).forEach(ProcessHandle::destroyForcibly);
          }
          return;
        }
      } catch (java.io.IOException | java.io.UncheckedIOException e) {
        // the build's temporary folder appeared or went away while walking: look again
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Reads /proc/PID/cmdline itself: ProcessHandle.Info leaves out the long command lines of executors. */
  private static boolean isExecutor(ProcessHandle p, String executorId) {
    try {
      String cmd = new String(Files.readAllBytes(Path.of("/proc", String.valueOf(p.pid()), "cmdline")),
          java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ');
      return cmd.contains("CoarseGrainedExecutorBackend") && cmd.contains(" --executor-id " + executorId + " ");
    } catch (java.io.IOException e) {
      return false;  // the process ended, or is not ours to read
    }
  }
}
