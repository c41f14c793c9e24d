package io.trtfleet.store;

import io.trtfleet.Precision;
import java.util.regex.Pattern;

/**
 * What one published build is for: model name and content digest, the backend that produced it and
 * its version ({@code trt-10.6.0} for TensorRT engines, {@code onnxruntime-1.23.2} for ONNX verified on
 * CPU), the device key ({@code h200.sm90}, or {@code cpu}) and the precision. Every part becomes one
 * path segment of the store layout, so each is checked here against a strict pattern: no '/', no "..",
 * nothing empty (a key can never address a path outside its own folder).
 */
public record TargetKey(String model, String modelDigest, String backend, String deviceKey, String precision) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{8,128}");
  private static final Pattern VERSION = Pattern.compile("[0-9]+(\\.[0-9]+){0,3}");
  private static final Pattern BACKEND = Pattern.compile("[a-z][a-z0-9]*-[0-9]+(\\.[0-9]+){0,3}");
  /** The backend prefix of TensorRT engines; a bare version means TensorRT. */
  public static final String TENSORRT = "trt";

  public TargetKey {
    model = name("model name", model);
    if (modelDigest == null || !HEX.matcher(modelDigest).matches()) {
      throw new IllegalArgumentException("model digest must be 8 to 128 lower-case hex digits, got '" + modelDigest + "'");
    }
    backend = canonicalBackend(backend);
    deviceKey = name("device key", deviceKey);
    precision = Precision.parse(name("precision", precision)).name();
  }

  /** {@code trt-10.6.0} from {@code 10.6.0} or itself; {@code onnxruntime-1.23.2} as it is. */
  public static String canonicalBackend(String backend) {
    if (backend != null && VERSION.matcher(backend).matches()) {
      backend = TENSORRT + "-" + backend;
    }
    if (backend == null || !BACKEND.matcher(backend).matches()) {
      throw new IllegalArgumentException("backend must look like trt-10.6.0 (or a TensorRT version 10.6.0) or"
          + " onnxruntime-1.23.2, got '" + backend + "'");
    }
    return backend;
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

  /** The first 12 hex digits of the model digest, for tables. */
  public String shortDigest() {
    return modelDigest.substring(0, Math.min(12, modelDigest.length()));
  }

  @Override
  public String toString() {
    return model + "@" + shortDigest() + " " + backend + " " + deviceKey + " " + precision;
  }
}
