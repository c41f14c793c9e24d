package io.trtfleet.tensorrt;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.calibrate.HistogramKernels;
import java.nio.charset.StandardCharsets;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * NVRTC needs no GPU, only libnvrtc (the cuda -redist jar, or the GPU host's runtime bundle) and a
 * loadable cudart JNI library (libcuda.so.1 present). Skipped where those are missing, as in CI.
 */
class CudaModuleTest {

  @Test
  void calibrationKernelsCompileToPtx() {
    try {
      Loader.load(org.bytedeco.cuda.global.nvrtc.class);
    } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
      Assumptions.abort("NVRTC not loadable here: " + e.getMessage());
    }
    for (String arch : new String[] {"--gpu-architecture=compute_90", "--gpu-architecture=compute_80"}) {
      byte[] ptx = CudaModule.compile(HistogramKernels.SOURCE, arch);
      String s = new String(ptx, 0, ptx.length - 1, StandardCharsets.US_ASCII);
      assertTrue(s.contains(".entry " + HistogramKernels.ABS_MAX + "("), arch);
      assertTrue(s.contains(".entry " + HistogramKernels.HISTOGRAM + "("), arch);
      assertTrue(s.contains("mul.rn.f64") && s.contains("cvt.rzi.s32.f64"), "binIndex's double multiply and truncation");
    }
  }
}
