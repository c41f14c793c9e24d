package io.trtfleet.fleet;

import io.trtfleet.Precision;
import java.io.Serializable;

/** One artifact the fleet needs: a model at a precision for a pool (its GPU type and TensorRT version, or the CPU). */
public record Target(ModelSpec model, Pool pool, Precision precision, FleetTargetKey key)
    implements Serializable {

  /** {@code fashion-mnist-cnn INT8 on gpu-h100 (trt-10.6.0)}. */
  public String label() {
    return model.name() + " " + precision + " on " + pool.name() + " (" + key.backend() + ")";
  }
}
