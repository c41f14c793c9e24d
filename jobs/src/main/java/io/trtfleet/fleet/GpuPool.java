package io.trtfleet.fleet;

import java.io.Serializable;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One GPU type of the fleet: the Spark resource its executors carry ({@code gpu-h100}), the regex its
 * {@code nvidia-smi} name matches, the device key engines for it are stored under
 * ({@code h100-80gb-hbm3.sm90}, compute capability included) and the TensorRT version its hosts run.
 *
 * @param executorCores cores of one build executor of this pool
 * @param executorMemory heap of one build executor ({@code 8g})
 */
public record GpuPool(String name, String gpuName, String deviceKey, String tensorRt, int executorCores,
    String executorMemory) implements Serializable {

  /** Spark cuts resource names at the first '.', so a dotted name never matches its discovery output. */
  private static final Pattern RESOURCE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");
  private static final Pattern DEVICE_KEY = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*\\.sm(\\d)(\\d+)");
  private static final Pattern TRT = Pattern.compile("\\d+\\.\\d+\\.\\d+");
  private static final Pattern MEMORY = Pattern.compile("\\d+[kmgt]?", Pattern.CASE_INSENSITIVE);

  public GpuPool {
    Objects.requireNonNull(name, "name");
    if (!RESOURCE.matcher(name).matches()) {
      throw new IllegalArgumentException("'" + name + "' is not a Spark resource name: letters, digits, '-' and '_'"
          + " only (Spark cuts names at the first '.'), e.g. gpu-h100");
    }
    try {
      Pattern.compile(Objects.requireNonNull(gpuName, "gpu_name"));
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("gpu_name '" + gpuName + "' is not a regular expression: " + e.getDescription());
    }
    if (!DEVICE_KEY.matcher(Objects.requireNonNull(deviceKey, "device")).matches()) {
      throw new IllegalArgumentException("device '" + deviceKey + "' is not a device key like h100-80gb-hbm3.sm90"
          + " (what trtfleet's DeviceIdentity prints for the GPU)");
    }
    if (!TRT.matcher(Objects.requireNonNull(tensorRt, "tensorrt")).matches()) {
      throw new IllegalArgumentException("tensorrt '" + tensorRt + "' is not a version like 10.6.0");
    }
    if (executorCores <= 0) {
      throw new IllegalArgumentException("executor_cores must be positive, got " + executorCores);
    }
    if (!MEMORY.matcher(Objects.requireNonNull(executorMemory, "executor_memory")).matches()) {
      throw new IllegalArgumentException("executor_memory '" + executorMemory + "' is not a size like 8g");
    }
  }

  /** Checks a resource name the way Spark will read it. */
  public static boolean isResourceName(String s) {
    return s != null && RESOURCE.matcher(s).matches();
  }

  /** The Spark resource name executors of this pool carry: the pool's name. */
  public String resource() {
    return name;
  }

  /** {@code trt-10.6.0}, as {@link io.trtfleet.tensorrt.DeviceIdentity#tensorRtKey()} writes it. */
  public String tensorRtKey() {
    return "trt-" + tensorRt;
  }

  /** {@code 9.0} from the device key's {@code sm90}. */
  public String computeCapability() {
    var m = DEVICE_KEY.matcher(deviceKey);
    m.matches();
    return m.group(2) + "." + m.group(3);
  }

  public boolean matchesGpuName(String nvidiaSmiName) {
    return Pattern.compile(gpuName).matcher(nvidiaSmiName.trim()).find();
  }
}
