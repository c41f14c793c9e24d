package io.trtfleet.fleet;

import io.trtfleet.TrtfleetException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code conf/fleet.yaml}: the GPU pools of the fleet, by name (= Spark resource name). */
public record FleetConfig(Map<String, GpuPool> pools) {

  static final Set<String> POOL_KEYS = Set.of("name", "gpu_name", "device", "tensorrt", "executor_cores",
      "executor_memory");
  static final int DEFAULT_CORES = 1;
  static final String DEFAULT_MEMORY = "4g";

  public FleetConfig {
    if (pools.isEmpty()) {
      throw new IllegalArgumentException("a fleet needs at least one GPU pool");
    }
    pools = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(pools));
  }

  public Optional<GpuPool> pool(String name) {
    return Optional.ofNullable(pools.get(name));
  }

  public static FleetConfig load(Path file) {
    YamlConf root = YamlConf.load(file).onlyKeys(Set.of("pools"));
    Map<String, GpuPool> pools = new LinkedHashMap<>();
    List<YamlConf> items = root.list("pools");
    for (YamlConf p : items) {
      p.onlyKeys(POOL_KEYS);
      String name = p.string("name");
      if (!GpuPool.isResourceName(name)) {
        throw p.fail("name", "'" + name + "' is not a Spark resource name: letters, digits, '-' and '_' only"
            + " (Spark cuts names at the first '.'), e.g. gpu-h100");
      }
      if (pools.containsKey(name)) {
        throw p.fail("name", "pool '" + name + "' is defined twice");
      }
      String gpuName = p.string("gpu_name");
      String device = p.string("device");
      String trt = p.string("tensorrt");
      long cores = p.integer("executor_cores", DEFAULT_CORES);
      String memory = p.string("executor_memory", DEFAULT_MEMORY);
      pools.put(name, build(p, name, gpuName, device, trt, (int) cores, memory));
    }
    return new FleetConfig(pools);
  }

  /** The record validates; the file and key come from here. */
  private static GpuPool build(YamlConf p, String name, String gpuName, String device, String trt, int cores,
      String memory) {
    try {
      return new GpuPool(name, gpuName, device, trt, cores, memory);
    } catch (IllegalArgumentException e) {
      String m = e.getMessage();
      String key = m.startsWith("gpu_name") ? "gpu_name" : m.startsWith("device") ? "device"
          : m.startsWith("tensorrt") ? "tensorrt" : m.startsWith("executor_cores") ? "executor_cores"
          : m.startsWith("executor_memory") ? "executor_memory" : "name";
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
