package io.trtfleet.build;

import io.trtfleet.TrtfleetException;

/** No GPU, no CUDA driver or no TensorRT library here: engines are built on GPU hosts. */
public final class GpuUnavailableException extends TrtfleetException {

  private static final long serialVersionUID = 1L;

  public GpuUnavailableException(String reason) {
    super("no GPU/TensorRT on this machine (" + reason + "): engines are built on GPU executors;"
        + " see docs/gpu.md for running on a GPU host");
  }
}
