package io.trtfleet.tensorrt;

import io.trtfleet.Precision;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * What makes an engine valid: the GPU (name, compute capability, memory), the driver and CUDA runtime,
 * and the TensorRT runtime version (asked of the library at run time, not the version compiled against).
 * Gives the stable keys artifacts are stored under: {@code h100-80gb-hbm3.sm90} and {@code trt-10.6.0}.
 */
public record DeviceIdentity(String gpuName, int ccMajor, int ccMinor, long memoryBytes, int driverCudaVersion,
    int cudaRuntimeVersion, int tensorRtVersion) implements Serializable {

  /** {@code h100-80gb-hbm3.sm90}: the GPU name without the vendor, lower case, dashes, then sm + CC. */
  public String deviceKey() {
    String n = gpuName.trim().toLowerCase(Locale.ROOT);
    for (String vendor : new String[] {"nvidia ", "tesla ", "geforce ", "quadro "}) {
      if (n.startsWith(vendor)) {
        n = n.substring(vendor.length());
      }
    }
    n = n.replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    return n + ".sm" + ccMajor + ccMinor;
  }

  /** {@code trt-10.6.0} from TensorRT's integer version (10.x: major*10000 + minor*100 + patch). */
  public String tensorRtKey() {
    return tensorRtKey(tensorRtVersion);
  }

  /**
   * This device's timing cache in {@code dir}, {@code h100-80gb-hbm3.sm90.trt-10.6.0.cache}: TensorRT's timings hold
   * for one GPU type and TensorRT version only.
   */
  public Path timingCacheIn(Path dir) {
    return dir.resolve(deviceKey() + "." + tensorRtKey() + ".cache");
  }

  public static String tensorRtKey(int version) {
    return "trt-" + version / 10000 + "." + (version / 100) % 100 + "." + version % 100;
  }

  public String computeCapability() {
    return ccMajor + "." + ccMinor;
  }

  /** FP8 tensor cores: Ada (8.9), Hopper (9.0) and newer. */
  public boolean hasFp8() {
    return ccMajor > 8 || (ccMajor == 8 && ccMinor >= 9);
  }

  /** Why this GPU cannot run {@code precision}'s engines, in one line; empty when it can. */
  public Optional<String> refusal(Precision precision) {
    if (precision.quantized() && precision.quantizedType() == Precision.QuantizedType.FP8_E4M3 && !hasFp8()) {
      return Optional.of(precision + " needs a GPU with FP8 tensor cores (compute capability 8.9 or newer: Ada, Hopper,"
          + " Blackwell), but " + gpuName + " has " + computeCapability() + ": build INT8 or FP16 for it instead");
    }
    return Optional.empty();
  }

  /** CUDA versions are encoded as major*1000 + minor*10. */
  public static String cudaVersion(int v) {
    return v / 1000 + "." + (v % 1000) / 10;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s (sm%d%d, %d GiB, driver CUDA %s, runtime CUDA %s, %s)", gpuName, ccMajor,
        ccMinor, memoryBytes >> 30, cudaVersion(driverCudaVersion), cudaVersion(cudaRuntimeVersion), tensorRtKey());
  }
}
