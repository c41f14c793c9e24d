package io.trtfleet.fleet;

import io.trtfleet.TrtfleetException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * In a build task: the GPU Spark assigned for the pool's resource, checked to be the pool's GPU type.
 * A mismatch (a worker whose discovery script declares the wrong GPUs) fails the target loudly rather
 * than building an engine for the wrong device under the pool's key.
 */
public final class GpuCheck {

  private static final Map<String, Object> LOCKS = new ConcurrentHashMap<>();

  private GpuCheck() {}

  public static GpuAssignment claim(Pool pool) {
    TaskContext ctx = TaskContext.get();
    String executor = org.apache.spark.SparkEnv.get().executorId();
    String host = hostName();
    Map<String, ResourceInformation> resources = ctx.resourcesJMap();
    ResourceInformation info = resources.get(pool.resource());
    if (info == null || info.addresses().length == 0) {
      throw new TrtfleetException("build task for pool " + pool.name() + " got no '" + pool.resource()
          + "' resource (it has " + resources.keySet() + "): run with dynamic allocation and workers that declare"
          + " spark.worker.resource." + pool.resource() + " (docs/fleet.md)");
    }
    String address = info.addresses()[0];
    return check(pool, address, NvidiaSmi.gpuNames(), executor, host);
  }

  /**
   * In a local run (no resource scheduling): the first of this host's GPUs that is of the pool's type, if
   * any, so a workstation or a single GPU host builds its own pool's targets.
   */
  public static Optional<GpuAssignment> local(Pool pool, String executor) {
    String host = hostName();
    return NvidiaSmi.gpuNamesIfInstalled().entrySet().stream().filter(g -> pool.matchesGpuName(g.getValue()))
        .findFirst().map(g -> new GpuAssignment(pool.resource(), g.getKey(), g.getValue(), executor, host));
  }

  /** One lock per GPU address in this JVM (a local run's tasks share the host's GPUs). */
  static Object lock(GpuAssignment gpu) {
    return LOCKS.computeIfAbsent(gpu.address(), a -> new Object());
  }

  /** The check itself, apart from Spark (tested directly). */
  static GpuAssignment check(Pool pool, String address, Map<String, String> gpuNames, String executor,
      String host) {
    String name = gpuNames.get(address);
    if (name == null) {
      throw new TrtfleetException("pool " + pool.name() + ": executor " + executor + " on " + host + " was assigned GPU "
          + address + ", which nvidia-smi does not list (GPUs: " + gpuNames + "): fix the worker's discovery script");
    }
    if (!pool.matchesGpuName(name)) {
      throw new TrtfleetException("pool " + pool.name() + ": executor " + executor + " on " + host + " was assigned GPU "
          + address + " '" + name + "', which does not match the pool's gpu_name '" + pool.gpuName()
          + "': the worker declares " + pool.resource() + " for the wrong GPUs; fix its discovery script");
    }
    return new GpuAssignment(pool.resource(), address, name, executor, host);
  }

  static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "unknown-host";
    }
  }
}
