package io.trtfleet.fleet;

import java.io.Serializable;
import java.util.Objects;

/**
 * What an artifact is a function of: the model's content, the calibration (INT8 only, else "none"), the
 * conversion options, the backend and its version, the device and the precision. Equal keys mean equal
 * artifacts, so a published key is never rebuilt.
 *
 * <p>Maps onto {@code io.trtfleet.store.TargetKey(model, modelDigest, backend, deviceKey, precision)}
 * with {@link #contentDigest()} as its modelDigest: that digest covers model, calibration and options.
 */
public record FleetTargetKey(String model, String modelDigest, String calibrationDigest, String optionsDigest,
    String backend, String deviceKey, String precision) implements Serializable {

  public static final String NO_CALIBRATION = "none";

  public FleetTargetKey {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(modelDigest, "modelDigest");
    Objects.requireNonNull(calibrationDigest, "calibrationDigest");
    Objects.requireNonNull(optionsDigest, "optionsDigest");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(deviceKey, "deviceKey");
    Objects.requireNonNull(precision, "precision");
  }

  /** SHA-256 of model, calibration and options digests: what the engine's inputs were. */
  public String contentDigest() {
    return Digests.text("model=" + modelDigest, "calibration=" + calibrationDigest, "options=" + optionsDigest);
  }

  /** {@code fashion-mnist-cnn/h100-80gb-hbm3.sm90/trt-10.6.0/INT8}: what a target is, for people. */
  public String path() {
    return model + "/" + deviceKey + "/" + backend + "/" + precision;
  }

  @Override
  public String toString() {
    return path() + "@" + contentDigest().substring(0, 12);
  }
}
