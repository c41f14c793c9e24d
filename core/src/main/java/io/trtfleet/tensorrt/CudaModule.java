package io.trtfleet.tensorrt;

import static org.bytedeco.cuda.global.cudart.cuGetErrorString;
import static org.bytedeco.cuda.global.cudart.cuInit;
import static org.bytedeco.cuda.global.cudart.cuLaunchKernel;
import static org.bytedeco.cuda.global.cudart.cuModuleGetFunction;
import static org.bytedeco.cuda.global.cudart.cuModuleLoadData;
import static org.bytedeco.cuda.global.cudart.cuModuleUnload;
import static org.bytedeco.cuda.global.cudart.cudaDevAttrMultiProcessorCount;
import static org.bytedeco.cuda.global.cudart.cudaDeviceGetAttribute;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.cuda.global.nvrtc.NVRTC_SUCCESS;
import static org.bytedeco.cuda.global.nvrtc.nvrtcCompileProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcCreateProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcDestroyProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetErrorString;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetPTX;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetPTXSize;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetProgramLog;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetProgramLogSize;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * CUDA C compiled at run time with NVRTC for the current device (PTX for its compute capability, JIT-
 * loaded by the driver) and launched with the driver API on a runtime stream (the CUDA runtime's
 * primary context is the driver's current context). {@link #close()} unloads the module.
 */
public final class CudaModule implements AutoCloseable {

  private final CUmod_st module = new CUmod_st();
  private final Map<String, CUfunc_st> functions = new HashMap<>();
  private final int multiprocessors;
  private boolean loaded;

  /** Compiles {@code source} and loads the functions {@code kernels} (extern "C" names) on {@code ordinal}. */
  public CudaModule(String source, List<String> kernels, int ordinal) {
    TensorRt.require();
    DeviceIdentity device = TensorRt.identify(ordinal);
    TensorRt.check(cudaSetDevice(ordinal), "cudaSetDevice(" + ordinal + ")");
    TensorRt.check(cudaFree(null), "CUDA context initialization");  // makes the primary context current
    driver(cuInit(0), "cuInit");
    int[] sms = new int[1];
    TensorRt.check(cudaDeviceGetAttribute(sms, cudaDevAttrMultiProcessorCount, ordinal), "multiprocessor count");
    multiprocessors = sms[0];
    byte[] ptx = compile(source, "--gpu-architecture=compute_" + device.computeCapability().replace(".", ""));
    driver(cuModuleLoadData(module, new BytePointer(ptx)), "cuModuleLoadData");
    loaded = true;
    for (String k : kernels) {
      CUfunc_st f = new CUfunc_st();
      driver(cuModuleGetFunction(f, module, k), "cuModuleGetFunction(" + k + ")");
      functions.put(k, f);
    }
  }

  public int multiprocessors() {
    return multiprocessors;
  }

  /** NVRTC: CUDA C to null-terminated PTX; compile errors carry NVRTC's log. */
  static byte[] compile(String source, String arch) {
    org.bytedeco.javacpp.Loader.load(org.bytedeco.cuda.global.nvrtc.class);
    _nvrtcProgram program = new _nvrtcProgram();
    nvrtc(nvrtcCreateProgram(program, new BytePointer(source), new BytePointer("trtfleet_kernels.cu"), 0,
        (PointerPointer<?>) null, (PointerPointer<?>) null), "nvrtcCreateProgram");
    try {
      String[] options = {arch, "--fmad=false", "--std=c++17"};
      PointerPointer<BytePointer> opts = new PointerPointer<>(options);
      int rc = nvrtcCompileProgram(program, options.length, opts);
      if (rc != NVRTC_SUCCESS) {
        SizeTPointer logSize = new SizeTPointer(1);
        nvrtcGetProgramLogSize(program, logSize);
        BytePointer log = new BytePointer(Math.max(1, logSize.get()));
        nvrtcGetProgramLog(program, log);
        throw new IllegalStateException("NVRTC could not compile the calibration kernels ("
            + nvrtcGetErrorString(rc).getString() + "): " + log.getString());
      }
      SizeTPointer size = new SizeTPointer(1);
      nvrtc(nvrtcGetPTXSize(program, size), "nvrtcGetPTXSize");
      byte[] ptx = new byte[(int) size.get()];
      nvrtc(nvrtcGetPTX(program, ptx), "nvrtcGetPTX");
      return ptx;
    } finally {
      nvrtc(nvrtcDestroyProgram(program), "nvrtcDestroyProgram");
    }
  }

  /**
   * Launches {@code kernel} on {@code stream}. Arguments: {@link Pointer} (a device address), Long
   * (unsigned long long), Integer (int), Double (double), in the kernel's parameter order.
   */
  public void launch(String kernel, int blocks, int threads, int sharedBytes, CUstream_st stream, Object... args) {
    CUfunc_st f = functions.get(kernel);
    if (f == null) {
      throw new IllegalArgumentException("kernel " + kernel + " not loaded (have " + functions.keySet() + ")");
    }
    PointerPointer<Pointer> params = new PointerPointer<>(args.length);
    Pointer[] holders = new Pointer[args.length];
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      if (a instanceof Pointer p) {
        holders[i] = new PointerPointer<>(1).put(0, p);
      } else if (a instanceof Long l) {
        holders[i] = new LongPointer(1).put(l);
      } else if (a instanceof Integer n) {
        holders[i] = new IntPointer(1).put(n);
      } else if (a instanceof Double d) {
        holders[i] = new DoublePointer(1).put(d);
      } else {
        throw new IllegalArgumentException("kernel argument " + i + " of type " + a.getClass().getName());
      }
      params.put(i, holders[i]);
    }
    driver(cuLaunchKernel(f, blocks, 1, 1, threads, 1, 1, sharedBytes, stream, params, null), "cuLaunchKernel(" + kernel + ")");
    // Arguments are copied at launch; the holders may go.
    for (Pointer h : holders) {
      h.close();
    }
    params.close();
  }

  static void driver(int rc, String what) {
    if (rc != 0) {
      PointerPointer<BytePointer> msg = new PointerPointer<>(1);
      String text = cuGetErrorString(rc, msg) == 0 && msg.get(0) != null && !msg.get(0).isNull() ? msg.get(BytePointer.class, 0).getString() : "?";
      throw new IllegalStateException(what + " failed: CUDA driver error " + rc + " (" + text + ")");
    }
  }

  static void nvrtc(int rc, String what) {
    if (rc != NVRTC_SUCCESS) {
      throw new IllegalStateException(what + " failed: " + nvrtcGetErrorString(rc).getString());
    }
  }

  @Override
  public void close() {
    if (loaded) {
      loaded = false;
      driver(cuModuleUnload(module), "cuModuleUnload");
    }
  }
}
