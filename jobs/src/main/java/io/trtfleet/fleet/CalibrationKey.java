package io.trtfleet.fleet;

import java.io.Serializable;

/** What INT8 scales are a function of: model content, calibration data content, algorithm and sample count. */
public record CalibrationKey(String model, String modelDigest, String dataDigest, String algorithm, long samples)
    implements Serializable {

  public String digest() {
    return Digests.text("model=" + modelDigest, "data=" + dataDigest, "algorithm=" + algorithm, "samples=" + samples);
  }

  @Override
  public String toString() {
    return model + "@" + digest().substring(0, 12);
  }
}
