package io.trtfleet.fleet;

import io.trtfleet.pipeline.OnnxRuntimeBackend;
import java.io.Serializable;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Where and how targets are built. A {@code tensorrt} pool is one GPU type of the fleet: the Spark resource
 * its executors carry ({@code gpu-h100}), the regex its {@code nvidia-smi} name matches, the device key
 * engines for it are stored under ({@code h100-80gb-hbm3.sm90}, compute capability included) and the
 * TensorRT version its hosts run. An {@code onnxruntime} pool needs no GPU: it publishes ONNX verified
 * with ONNX Runtime and TF-TRT's converted, not built SavedModel, under device key {@code cpu}.
 *
 * @param executorCores cores of one build executor of this pool
 * @param executorMemory heap of one build executor ({@code 8g})
 * @param resources how Spark asks the cluster manager for this pool's GPUs (GPU pools only)
 */
public record Pool(String name, Backend backend, String gpuName, String deviceKey, String tensorRt, int executorCores,
    String executorMemory, GpuResources resources) implements Serializable {

  /**
   * The executor resource request of a GPU pool: {@code vendor} is what YARN and Kubernetes need to map
   * the request (YARN resource type {@code <vendor>/<name>}, Kubernetes {@code <vendor>/<name>} limits,
   * e.g. {@code nvidia.com}; standalone ignores it), {@code gpusPerExecutor} how many of the pool's GPUs
   * an executor holds (each build task takes one), {@code discoveryScript} where executors find their GPU
   * addresses when the cluster manager does not (YARN, Kubernetes; empty: the worker's own discovery).
   */
  public record GpuResources(String vendor, int gpusPerExecutor, String discoveryScript) implements Serializable {
    public static final GpuResources DEFAULT = new GpuResources("", 1, "");

    public GpuResources {
      vendor = vendor == null ? "" : vendor;
      discoveryScript = discoveryScript == null ? "" : discoveryScript;
      if (gpusPerExecutor < 1) {
        throw new IllegalArgumentException("gpus_per_executor must be at least 1, got " + gpusPerExecutor);
      }
    }
  }

  /** What builds a pool's targets. */
  public enum Backend { TENSORRT, ONNXRUNTIME }

  /** Spark cuts resource names at the first '.', so a dotted name never matches its discovery output. */
  private static final Pattern RESOURCE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");
  private static final Pattern DEVICE_KEY = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*\\.sm(\\d)(\\d+)");
  private static final Pattern TRT = Pattern.compile("\\d+\\.\\d+\\.\\d+");
  private static final Pattern MEMORY = Pattern.compile("\\d+[kmgt]?", Pattern.CASE_INSENSITIVE);

  public Pool {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(backend, "backend");
    resources = resources == null ? GpuResources.DEFAULT : resources;
    if (!RESOURCE.matcher(name).matches()) {
      throw new IllegalArgumentException("'" + name + "' is not a Spark resource name: letters, digits, '-' and '_'"
          + " only (Spark cuts names at the first '.'), e.g. gpu-h100");
    }
    if (backend == Backend.TENSORRT) {
      try {
        Pattern.compile(Objects.requireNonNull(gpuName, "gpu_name"));
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("gpu_name '" + gpuName + "' is not a regular expression: "
            + e.getDescription());
      }
      if (!DEVICE_KEY.matcher(Objects.requireNonNull(deviceKey, "device")).matches()) {
        throw new IllegalArgumentException("device '" + deviceKey + "' is not a device key like h100-80gb-hbm3.sm90"
            + " (what trtfleet's DeviceIdentity prints for the GPU)");
      }
      if (!TRT.matcher(Objects.requireNonNull(tensorRt, "tensorrt")).matches()) {
        throw new IllegalArgumentException("tensorrt '" + tensorRt + "' is not a version like 10.6.0");
      }
    } else if (gpuName != null || deviceKey != null || tensorRt != null) {
      throw new IllegalArgumentException("gpu_name, device and tensorrt describe GPU pools: an onnxruntime pool has"
          + " none (its device key is " + OnnxRuntimeBackend.DEVICE_KEY + ")");
    }
    if (executorCores <= 0) {
      throw new IllegalArgumentException("executor_cores must be positive, got " + executorCores);
    }
    if (!MEMORY.matcher(Objects.requireNonNull(executorMemory, "executor_memory")).matches()) {
      throw new IllegalArgumentException("executor_memory '" + executorMemory + "' is not a size like 8g");
    }
  }

  /** A TensorRT pool of one GPU type. */
  public static Pool gpu(String name, String gpuName, String deviceKey, String tensorRt, int cores, String memory) {
    return new Pool(name, Backend.TENSORRT, gpuName, deviceKey, tensorRt, cores, memory, GpuResources.DEFAULT);
  }

  /** Checks a resource name the way Spark will read it. */
  public static boolean isResourceName(String s) {
    return s != null && RESOURCE.matcher(s).matches();
  }

  public boolean needsGpu() {
    return backend == Backend.TENSORRT;
  }

  /** The Spark resource name executors of a GPU pool carry: the pool's name. */
  public String resource() {
    return name;
  }

  /** The store key's backend: {@code trt-10.6.0}, or {@code onnxruntime-1.23.2} (the ONNX Runtime loaded here). */
  public String backendKey() {
    return needsGpu() ? "trt-" + tensorRt : OnnxRuntimeBackend.versionKey();
  }

  /** The store key's device: the GPU's device key, or {@code cpu}. */
  public String storeDeviceKey() {
    return needsGpu() ? deviceKey : OnnxRuntimeBackend.DEVICE_KEY;
  }

  public boolean matchesGpuName(String nvidiaSmiName) {
    return needsGpu() && Pattern.compile(gpuName).matcher(nvidiaSmiName.trim()).find();
  }
}
