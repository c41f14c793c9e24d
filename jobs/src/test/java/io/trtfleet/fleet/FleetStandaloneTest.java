package io.trtfleet.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nightly job on a real multi-process standalone cluster: a Master and one Worker JVM per GPU type
 * (gpu-h100, gpu-h200, fake GPUs), dynamic allocation, one ResourceProfile per pool. Every build task must
 * run on an executor of its pool's Worker and see that Worker's GPU. The GPUs are fake, so TensorRT cannot
 * run there: each target fails saying so, and nothing is published.
 */
class FleetStandaloneTest {

  @TempDir
  Path dir;

  @Test
  void eachPoolBuildsOnlyOnItsOwnGpuType() throws Exception {
    Path fleet = Files.writeString(dir.resolve("fleet.yaml"), """
        pools:
          - {name: gpu-h100, gpu_name: H100, device: h100-80gb-hbm3.sm90, tensorrt: 10.6.0, executor_cores: 1, executor_memory: 512m}
          - {name: gpu-h200, gpu_name: H200, device: h200.sm90, tensorrt: 10.6.0, executor_cores: 1, executor_memory: 512m}
        """);
    Path models = Files.writeString(dir.resolve("models.yaml"), FleetLocalTest.modelsYaml("[FP32, FP16]", "{}")
        .replace("[cpu, gpu-h100, gpu-h200]", "[gpu-h100, gpu-h200]")
        .replace("    calibration: {data: " + FleetLocalTest.SAMPLES.resolve("fashion-mnist/calibration.parquet")
            + ", algorithm: minmax, samples: 300}\n", ""));
    try (StandaloneCluster cluster = new StandaloneCluster(dir.resolve("cluster"), List.of(
        new StandaloneCluster.WorkerSpec("gpu-h100", "H100", "0, NVIDIA H100 80GB HBM3"),
        new StandaloneCluster.WorkerSpec("gpu-h200", "H200", "0, NVIDIA H200")))) {
      SparkSession spark = cluster.session("FleetStandaloneTest", 1, "512m");
      try {
        long t0 = System.nanoTime();
        RunReport report = NightlyJob.run(spark, FleetLocalTest.options(fleet, models, dir.resolve("store"), "s1"));
        String where = report.results().stream().map(r -> r.pool() + " " + r.precision() + " " + r.status() + " "
            + r.worker() + " " + r.message()).collect(Collectors.joining("\n"));
        assertEquals(4, report.count(TargetResult.Status.FAILED), where + "\n" + cluster.logs());
        for (TargetResult r : report.results()) {
          assertTrue(r.message().contains("of pool " + r.pool() + ", but TensorRT cannot run there"), where);
          assertEquals(r.pool(), r.worker().resource(), where);
          assertEquals("0", r.worker().gpuAddress(), where);
          assertTrue(r.worker().gpuName().contains(r.pool().equals("gpu-h100") ? "H100" : "H200"), where);
          assertNotEquals("driver", r.worker().executorId(), where);
        }
        Map<String, List<String>> executorsByPool = report.results().stream().collect(Collectors.groupingBy(
            TargetResult::pool, Collectors.mapping(r -> r.worker().executorId(), Collectors.toList())));
        assertTrue(java.util.Collections.disjoint(executorsByPool.get("gpu-h100"), executorsByPool.get("gpu-h200")),
            where);
        assertFalse(Files.exists(dir.resolve("store/artifacts/fashion-mnist-cnn")), "nothing published");
        System.out.printf("standalone fleet run: %.1f s%n%s%n", (System.nanoTime() - t0) / 1e9, where);
      } finally {
        spark.stop();
      }
    }
  }
}
