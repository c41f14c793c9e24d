package io.trtfleet.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.trtfleet.tensorrt.DeviceIdentity;
import io.trtfleet.tensorrt.TensorRt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;

/**
 * The fleet run on a real multi-GPU host (docs/fleet.md, docs/benchmarks/fleet.md): a standalone Master
 * and one Worker whose GPUs come from scripts/discover-gpus.sh over the real nvidia-smi, dynamic
 * allocation with one GPU per executor, and the nightly job building TensorRT engines for two models x
 * FP32/FP16/INT8. Prints where every build ran and writes {@code two-gpu-run.json}; exit 1 unless the
 * builds used every GPU.
 *
 * <pre>java -Dtrtfleet.root=APP -cp ... io.trtfleet.fleet.TwoGpuFleetRun --out DIR --data DIR</pre>
 */
public final class TwoGpuFleetRun {

  private TwoGpuFleetRun() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i], args[i + 1]);
    }
    Path out = Files.createDirectories(Path.of(a.getOrDefault("--out", "two-gpu-out")).toAbsolutePath());
    Path data = Path.of(a.getOrDefault("--data", "data")).toAbsolutePath();
    DeviceIdentity device = TensorRt.identify(0);
    Map<String, String> gpus = NvidiaSmi.gpuNames();
    String resource = "gpu-fleet";
    System.out.println("host GPUs " + gpus + "; pool " + resource + " = " + device.deviceKey() + " " + device.tensorRtKey());
    Path fleet = Files.writeString(out.resolve("fleet.yaml"), String.format("""
        pools:
          - {name: %s, gpu_name: "%s", device: %s, tensorrt: %s, executor_cores: 4, executor_memory: 24g}
        """, resource, device.gpuName(), device.deviceKey(), device.tensorRtKey().substring(4)));
    StringBuilder registry = new StringBuilder("models:\n");
    for (String name : List.of("fashion-mnist-cnn-a", "fashion-mnist-cnn-b")) {
      registry.append(String.format("""
            - name: %s
              model: %s
              precisions: [FP32, FP16, INT8]
              calibration: {data: %s, algorithm: entropy}
              validation: {data: %s, samples: 1000}
              gates:
                max_top1_drop: {FP32: 0.001, FP16: 0.005, INT8: 0.02}
              profiles:
                - images: {min: [1, 28, 28, 1], opt: [64, 28, 28, 1], max: [256, 28, 28, 1]}
              pools: [%s]
          """, name, data.resolve("fashion-mnist-cnn"), data.resolve("calibration.parquet"),
          data.resolve("validation.parquet"), resource));
    }
    Path models = Files.writeString(out.resolve("models.yaml"), registry.toString());
    Map<String, Object> summary = new LinkedHashMap<>();
    boolean allGpus;
    try (StandaloneCluster cluster = new StandaloneCluster(out.resolve("cluster"), List.of(
        new StandaloneCluster.WorkerSpec(resource, device.gpuName(), gpus.size())), 12, "96g", "2g")) {
      SparkSession spark = cluster.session("TwoGpuFleetRun", 2, "8g");
      try {
        long t0 = System.nanoTime();
        RunReport report = NightlyJob.run(spark, new NightlyOptions(fleet, models, out.resolve("store"),
            out.resolve("store/artifacts").toUri(), "two-gpu"));
        double seconds = (System.nanoTime() - t0) / 1e9;
        for (TargetResult r : report.results()) {
          System.out.printf("TARGET %s %s %s executor %s GPU %s (%s) top-1 %.4f/%.4f %.0f img/s build %.1f s %s%n",
              r.model(), r.precision(), r.status(), r.worker().executorId(), r.worker().gpuAddress(),
              r.worker().gpuName(), r.referenceTop1(), r.top1(), r.throughput(), r.buildSeconds(), r.message());
        }
        Set<String> used = report.results().stream().map(r -> r.worker().gpuAddress()).collect(Collectors.toCollection(TreeSet::new));
        Set<String> executors = report.results().stream().map(r -> r.worker().executorId()).collect(Collectors.toCollection(TreeSet::new));
        allGpus = used.equals(new TreeSet<>(gpus.keySet())) && report.count(TargetResult.Status.BUILT) == report.results().size();
        System.out.println(report.summaryLine() + String.format(" in %.1f s; GPUs used %s by executors %s", seconds, used,
            executors));
        summary.put("device", device);
        summary.put("gpus", gpus);
        summary.put("seconds", seconds);
        summary.put("gpus_used", used);
        summary.put("executors", executors);
        summary.put("summary", report.summaryLine());
        summary.put("results", report.results());
        if (!allGpus) {
          System.out.println(cluster.logs());
        }
      } finally {
        spark.stop();
      }
    }
    Files.write(out.resolve("two-gpu-run.json"),
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(summary));
    System.exit(allGpus ? 0 : 1);
  }
}
