package io.trtfleet.store;

import java.util.regex.Pattern;

/**
 * What one published build is for: model name and content digest, TensorRT version, device key and
 * precision. Every part becomes one path segment of the store layout, so each is checked here against a
 * strict pattern: no '/', no "..", nothing empty (a key can never address a path outside its own folder).
 */
public record TargetKey(String model, String modelDigest, String trtVersion, String deviceKey, String precision) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{8,128}");
  private static final Pattern VERSION = Pattern.compile("[0-9]+(\\.[0-9]+){0,3}");

  public TargetKey {
    model = name("model name", model);
    if (modelDigest == null || !HEX.matcher(modelDigest).matches()) {
      throw new IllegalArgumentException("model digest must be 8 to 128 lower-case hex digits, got '" + modelDigest + "'");
    }
    if (trtVersion != null && trtVersion.startsWith("trt-")) {
      trtVersion = trtVersion.substring(4);  // DeviceIdentity.tensorRtKey() form
    }
    if (trtVersion == null || !VERSION.matcher(trtVersion).matches()) {
      throw new IllegalArgumentException("TensorRT version must look like 10.6.0, got '" + trtVersion + "'");
    }
    deviceKey = name("device key", deviceKey);
    precision = name("precision", precision);
  }

  /** Checks one segment; "." inside a name is fine (h100-80gb-hbm3.sm90), ".." anywhere is not. */
  static String name(String what, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    if (value.length() > 200 || !NAME.matcher(value).matches() || value.contains("..")) {
      throw new IllegalArgumentException(what + " '" + value
          + "' is not allowed: use letters, digits, '.', '_' and '-' (starting with a letter or digit, no '/' or '..')");
    }
    return value;
  }

  /** {@code trt-10.6.0}: the layout's folder name for the TensorRT version. */
  public String trtFolder() {
    return "trt-" + trtVersion;
  }

  /** The first 12 hex digits of the model digest, for tables. */
  public String shortDigest() {
    return modelDigest.substring(0, Math.min(12, modelDigest.length()));
  }

  @Override
  public String toString() {
    return model + "@" + shortDigest() + " " + trtFolder() + " " + deviceKey + " " + precision;
  }
}
