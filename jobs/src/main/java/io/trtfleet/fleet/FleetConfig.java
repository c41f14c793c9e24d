package io.trtfleet.fleet;

import io.trtfleet.TrtfleetException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code conf/fleet.yaml}: the pools of the fleet, by name: GPU pools ({@code backend: tensorrt}, the
 * default; the name is the Spark resource) and CPU pools ({@code backend: onnxruntime}).
 */
public record FleetConfig(Map<String, Pool> pools) {

  static final Set<String> POOL_KEYS = Set.of("name", "backend", "gpu_name", "device", "tensorrt", "executor_cores",
      "executor_memory", "resource_vendor", "gpus_per_executor", "discovery_script");
  static final Set<String> GPU_KEYS = Set.of("gpu_name", "device", "tensorrt", "resource_vendor", "gpus_per_executor",
      "discovery_script");
  static final int DEFAULT_CORES = 1;
  static final String DEFAULT_MEMORY = "4g";

  public FleetConfig {
    if (pools.isEmpty()) {
      throw new IllegalArgumentException("a fleet needs at least one pool");
    }
    pools = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(pools));
  }

  public Optional<Pool> pool(String name) {
    return Optional.ofNullable(pools.get(name));
  }

  public static FleetConfig load(Path file) {
    YamlConf root = YamlConf.load(file).onlyKeys(Set.of("pools"));
    Map<String, Pool> pools = new LinkedHashMap<>();
    List<YamlConf> items = root.list("pools");
    for (YamlConf p : items) {
      p.onlyKeys(POOL_KEYS);
      String name = p.string("name");
      if (!Pool.isResourceName(name)) {
        throw p.fail("name", "'" + name + "' is not a Spark resource name: letters, digits, '-' and '_' only"
            + " (Spark cuts names at the first '.'), e.g. gpu-h100");
      }
      if (pools.containsKey(name)) {
        throw p.fail("name", "pool '" + name + "' is defined twice");
      }
      Pool.Backend backend = p.parse("backend", b -> Pool.Backend.valueOf(b.toUpperCase(java.util.Locale.ROOT)),
          Pool.Backend.TENSORRT, "tensorrt or onnxruntime");
      boolean gpu = backend == Pool.Backend.TENSORRT;
      for (String key : new java.util.TreeSet<>(GPU_KEYS)) {
        if (!gpu && p.has(key)) {
          throw p.fail(key, key + " describes GPU pools; an onnxruntime pool has none");
        }
      }
      String gpuName = gpu ? p.string("gpu_name") : null;
      String device = gpu ? p.string("device") : null;
      String trt = gpu ? p.string("tensorrt") : null;
      long cores = p.integer("executor_cores", DEFAULT_CORES);
      String memory = p.string("executor_memory", DEFAULT_MEMORY);
      Pool.GpuResources resources = gpu ? new Pool.GpuResources(p.string("resource_vendor", ""),
          (int) p.integer("gpus_per_executor", 1), p.string("discovery_script", "")) : null;
      pools.put(name, build(p, name, backend, gpuName, device, trt, (int) cores, memory, resources));
    }
    return new FleetConfig(pools);
  }

  /** The record validates; the file and key come from here. */
  private static Pool build(YamlConf p, String name, Pool.Backend backend, String gpuName, String device, String trt,
      int cores, String memory, Pool.GpuResources resources) {
    try {
      return new Pool(name, backend, gpuName, device, trt, cores, memory, resources);
    } catch (IllegalArgumentException e) {
      String m = e.getMessage();
      String key = m.startsWith("gpu_name") ? "gpu_name" : m.startsWith("device") ? "device"
          : m.startsWith("tensorrt") ? "tensorrt" : m.startsWith("executor_cores") ? "executor_cores"
          : m.startsWith("executor_memory") ? "executor_memory"
          : m.startsWith("gpus_per_executor") ? "gpus_per_executor" : "name";
      throw p.fail(key, m);
    }
  }

  /** Names of the pools, for error messages. */
  List<String> names() {
    return new ArrayList<>(pools.keySet());
  }

  static TrtfleetException unknownPool(YamlConf at, String key, String pool, FleetConfig fleet) {
    return at.fail(key, "pool '" + pool + "' is not defined in the fleet configuration (pools: "
        + String.join(", ", fleet.names()) + ")");
  }
}
