package io.trtfleet.fleet;

import io.trtfleet.testing.LoopbackPorts;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Spark standalone cluster of separate JVMs on 127.0.0.1: one Master and one Worker per GPU type, each
 * Worker declaring its own resource through discover-gpus.sh over a fake nvidia-smi (or the real one when
 * a spec lists no fake GPUs: {@link TwoGpuFleetRun}). Executors inherit the Worker's environment, so the
 * build tasks' GPU check sees the same GPUs.
 */
final class StandaloneCluster implements AutoCloseable {

  /**
   * One Worker: the resource it declares, the GPU name regex and the fake nvidia-smi lines (none: the
   * host's real GPUs, {@code amount} of them).
   */
  record WorkerSpec(String resource, String regex, int amount, String... gpus) {
    WorkerSpec(String resource, String regex, String... gpus) {
      this(resource, regex, gpus.length, gpus);
    }

    /** A Worker that declares no GPU resource (CPU pools and calibration run on it). */
    static WorkerSpec cpuOnly(String name) {
      return new WorkerSpec(name, null, 0);
    }
  }

  private final List<Process> processes = new ArrayList<>();
  private final Path dir;
  private final String heap;
  final String masterUrl;

  StandaloneCluster(Path dir, List<WorkerSpec> workers) throws IOException, InterruptedException {
    this(dir, workers, 2, "1536m", "512m");
  }

  StandaloneCluster(Path dir, List<WorkerSpec> workers, int workerCores, String workerMemory, String heap)
      throws IOException, InterruptedException {
    this.dir = dir;
    this.heap = heap;
    Path sparkHome = Files.createDirectories(dir.resolve("spark-home/jars"));  // Spark wants $SPARK_HOME/jars
    int port = LoopbackPorts.unused();
    masterUrl = "spark://127.0.0.1:" + port;
    start("master", sparkHome.getParent(), Map.of(), List.of("org.apache.spark.deploy.master.Master", "--host",
        "127.0.0.1", "--port", String.valueOf(port), "--webui-port", String.valueOf(LoopbackPorts.unused())), List.of());
    waitForPort(port);
    for (WorkerSpec w : workers) {
      if (w.regex() == null) {
        start("worker-" + w.resource(), sparkHome.getParent(), Map.of(), workerArgs(w, workerCores, workerMemory),
            List.of());
        continue;
      }
      boolean fake = w.gpus().length > 0;
      Path smi = fake ? FakeGpus.nvidiaSmi(dir, "nvidia-smi-" + w.resource(), w.gpus()) : null;
      Path discover = FakeGpus.discoveryWrapper(dir, w.regex(), w.resource(), smi);
      start("worker-" + w.resource(), sparkHome.getParent(), fake ? Map.of(NvidiaSmi.FAKE_ENV, smi.toString()) : Map.of(),
          workerArgs(w, workerCores, workerMemory),
          List.of("-Dspark.worker.resource." + w.resource() + ".amount=" + w.amount(),
              "-Dspark.worker.resource." + w.resource() + ".discoveryScript=" + discover));
    }
  }

  private List<String> workerArgs(WorkerSpec w, int cores, String memory) throws IOException {
    return List.of("org.apache.spark.deploy.worker.Worker", masterUrl, "--host", "127.0.0.1", "--cores",
        String.valueOf(cores), "--memory", memory, "--webui-port", String.valueOf(LoopbackPorts.unused()),
        "--work-dir", Files.createDirectories(dir.resolve("work-" + w.resource())).toString());
  }

  static String testClasspath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  private void start(String name, Path sparkHome, Map<String, String> env, List<String> args, List<String> props)
      throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + heap, "-cp", testClasspath()));
    cmd.addAll(props);
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile());
    pb.environment().put("SPARK_HOME", sparkHome.toString());
    pb.environment().put("SPARK_SCALA_VERSION", "2.13");
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().putAll(env);
    processes.add(pb.start());
  }

  /** A driver session on this cluster with dynamic allocation (what stage-level scheduling needs). */
  org.apache.spark.sql.SparkSession session(String app, int executorCores, String executorMemory) {
    return session(app, executorCores, executorMemory, Map.of());
  }

  /** As {@link #session(String, int, String)}, with more Spark settings. */
  org.apache.spark.sql.SparkSession session(String app, int executorCores, String executorMemory,
      Map<String, String> more) {
    org.apache.spark.sql.SparkSession.Builder b = org.apache.spark.sql.SparkSession.builder().appName(app)
        .master(masterUrl);
    more.forEach(b::config);
    return b
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.executor.extraClassPath", testClasspath())
        .config("spark.executor.cores", String.valueOf(executorCores))
        .config("spark.executor.memory", executorMemory)
        .config("spark.executorEnv.SPARK_SCALA_VERSION", "2.13")
        .config("spark.executorEnv.TF_CPP_MIN_LOG_LEVEL", "2")
        .config("spark.dynamicAllocation.enabled", "true")
        .config("spark.dynamicAllocation.shuffleTracking.enabled", "true")
        .config("spark.dynamicAllocation.executorIdleTimeout", "5s")
        .config("spark.dynamicAllocation.schedulerBacklogTimeout", "1s")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
  }

  String logs() throws IOException {
    StringBuilder s = new StringBuilder();
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".log")).toList()) {
        String text = Files.readString(f);
        s.append("== ").append(f.getFileName()).append('\n')
            .append(text.substring(Math.max(0, text.length() - 3000))).append('\n');
      }
    }
    return s.toString();
  }

  private static void waitForPort(int port) throws InterruptedException, IOException {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(250);  // the Master is still starting; its log says why if it never does
      }
    }
    throw new IOException("Spark master did not listen on " + port + " within 60 s");
  }

  @Override
  public void close() throws InterruptedException {
    for (Process p : processes) {
      p.descendants().forEach(ProcessHandle::destroy);  // executors started by the workers
      p.destroy();
    }
    for (Process p : processes) {
      if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }
}
