package io.trtfleet.tensorrt;

import io.trtfleet.TrtfleetException;

/** No GPU, no CUDA driver or no TensorRT library here: engines are built on GPU hosts. */
public final class GpuUnavailableException extends TrtfleetException {

  private static final long serialVersionUID = 1L;

  public GpuUnavailableException(String reason) {
    super("no GPU/TensorRT on this machine (" + reason + "): GPU work (engine builds, --calibration-device gpu)"
        + " runs on GPU hosts; see docs/gpu.md");
  }
}
