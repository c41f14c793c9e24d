package io.trtfleet.tensorrt;

import static org.bytedeco.cuda.global.cudart.cudaDevAttrComputeCapabilityMajor;
import static org.bytedeco.cuda.global.cudart.cudaDevAttrComputeCapabilityMinor;
import static org.bytedeco.cuda.global.cudart.cudaDeviceGetAttribute;
import static org.bytedeco.cuda.global.cudart.cudaDriverGetVersion;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceCount;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceProperties;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaRuntimeGetVersion;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.global.nvonnxparser;

/** Finds out whether this JVM can reach a GPU and TensorRT, and which. */
public final class TensorRt {

  private TensorRt() {}

  /** Why engines cannot be built here, or empty when they can. Never throws. */
  public static Optional<String> unavailableReason() {
    try {
      Loader.load(org.bytedeco.cuda.global.cudart.class);
      int[] n = new int[1];
      int rc = cudaGetDeviceCount(n);
      if (rc != 0) {
        return Optional.of("CUDA reports error " + rc + ": " + cudaGetErrorString(rc).getString());
      }
      if (n[0] == 0) {
        return Optional.of("CUDA sees no GPU");
      }
      Loader.load(nvinfer.class);
      Loader.load(nvonnxparser.class);
      return Optional.empty();
    } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
      return Optional.of("CUDA/TensorRT native libraries not loadable: " + e.getMessage());
    }
  }

  /** Throws {@link GpuUnavailableException} naming the reason when no GPU/TensorRT is usable. */
  public static void require() {
    unavailableReason().ifPresent(r -> {
      throw new GpuUnavailableException(r);
    });
  }

  /** The identity of CUDA device {@code ordinal} and the TensorRT library loaded in this process. */
  public static DeviceIdentity identify(int ordinal) {
    require();
    check(cudaSetDevice(ordinal), "cudaSetDevice(" + ordinal + ")");
    cudaDeviceProp p = new cudaDeviceProp();
    check(cudaGetDeviceProperties(p, ordinal), "cudaGetDeviceProperties");
    int[] major = new int[1];
    int[] minor = new int[1];
    check(cudaDeviceGetAttribute(major, cudaDevAttrComputeCapabilityMajor, ordinal), "compute capability");
    check(cudaDeviceGetAttribute(minor, cudaDevAttrComputeCapabilityMinor, ordinal), "compute capability");
    int[] driver = new int[1];
    int[] runtime = new int[1];
    check(cudaDriverGetVersion(driver), "cudaDriverGetVersion");
    check(cudaRuntimeGetVersion(runtime), "cudaRuntimeGetVersion");
    return new DeviceIdentity(p.name().getString(), major[0], minor[0], p.totalGlobalMem(), driver[0], runtime[0],
        nvinfer.getInferLibVersion());
  }

  /**
   * The NVIDIA driver's version as its kernel module reports it ({@code 580.65.06}), or the CUDA version
   * the driver supports when that file is not readable (another OS, a container without it).
   */
  public static String driverVersion(DeviceIdentity device) {
    Path proc = Path.of("/proc/driver/nvidia/version");
    if (Files.isReadable(proc)) {
      try {
        Optional<String> v = kernelModuleVersion(Files.readString(proc));
        if (v.isPresent()) {
          return v.get();
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + proc, e);
      }
    }
    return "CUDA " + DeviceIdentity.cudaVersion(device.driverCudaVersion()) + " driver";
  }

  /**
   * The version in {@code /proc/driver/nvidia/version}'s first line: "... Kernel Module  580.65.06 ..."
   * or, for the open modules, "... Open Kernel Module for x86_64  580.159.04 ...".
   */
  static Optional<String> kernelModuleVersion(String procText) {
    Matcher m = Pattern.compile("Kernel Module\\b.*?\\s(\\d+\\.\\d+(?:\\.\\d+)?)\\s").matcher(procText);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /**
   * For constructors that allocate GPU resources step by step: frees what was made before {@code failure}
   * ({@code close} must tolerate a half-built object) and returns the failure to rethrow, with any error
   * of the cleanup attached as suppressed.
   */
  public static RuntimeException closedAfter(RuntimeException failure, Runnable close) {
    try {
      close.run();
    } catch (RuntimeException again) {
      failure.addSuppressed(again);
    }
    return failure;
  }

  /** Throws naming {@code what} and CUDA's message when a CUDA runtime call returned an error. */
  public static void check(int rc, String what) {
    if (rc != 0) {
      throw new IllegalStateException(what + " failed: CUDA error " + rc + " (" + cudaGetErrorString(rc).getString() + ")");
    }
  }
}
