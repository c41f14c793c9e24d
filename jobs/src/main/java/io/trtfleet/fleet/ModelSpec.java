package io.trtfleet.fleet;

import io.trtfleet.convert.OptimizationProfile;
import io.trtfleet.Precision;
import io.trtfleet.quantize.CalibrationAlgorithm;
import io.trtfleet.tensorrt.ImageBinding;
import io.trtfleet.verify.AccuracyGate;
import io.trtfleet.verify.ValidationGates;
import java.io.Serializable;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One entry of {@code conf/models.yaml}: a SavedModel, the precisions to build, where its calibration
 * and validation data live, the accuracy gates and shape profiles, how engines bind its NHWC images (what
 * its clients send), and the pools it is built for.
 *
 * @param calibration null when no precision is quantized
 * @param maxTop1Drop per precision, the largest top-1 accuracy drop (absolute, 0.01 = one point) against
 *     TensorFlow FP32 on the validation data that still publishes the target
 */
public record ModelSpec(String name, String modelUri, String tags, String signature, List<Precision> precisions,
    CalibrationSpec calibration, ValidationSpec validation, Map<Precision, Double> maxTop1Drop,
    List<OptimizationProfile> profiles, ImageBinding imageBinding, List<String> pools) implements Serializable {

  /** Model names become path segments of the store: keep them plain. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");

  /** How INT8 scales are computed: data URI, algorithm, and the sample count (0 = all rows). */
  public record CalibrationSpec(String dataUri, CalibrationAlgorithm algorithm, long samples) implements Serializable {
    public CalibrationSpec {
      Objects.requireNonNull(dataUri, "data");
      Objects.requireNonNull(algorithm, "algorithm");
      if (samples < 0) {
        throw new IllegalArgumentException("samples must be >= 0 (0 = all rows), got " + samples);
      }
    }
  }

  /**
   * Where accuracy is measured: held-out samples as every command takes them (Parquet in the
   * calibration-set convention at any URI, with labels for top-1 gates; or {@code random[:SEED]}), and how many.
   */
  public record ValidationSpec(String dataUri, int samples) implements Serializable {
    public ValidationSpec {
      Objects.requireNonNull(dataUri, "data");
      if (samples <= 0) {
        throw new IllegalArgumentException("samples must be positive, got " + samples);
      }
    }
  }

  public ModelSpec {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("model name '" + name + "' must be lower case letters, digits, '-' or '_'"
          + " (it names folders in the store)");
    }
    Objects.requireNonNull(modelUri, "model");
    Objects.requireNonNull(tags, "tags");
    Objects.requireNonNull(signature, "signature");
    Objects.requireNonNull(validation, "validation");
    precisions = List.copyOf(precisions);
    if (precisions.isEmpty() || precisions.size() != precisions.stream().distinct().count()) {
      throw new IllegalArgumentException("precisions must be a non-empty list without repeats, got " + precisions);
    }
    if (calibration == null && precisions.stream().anyMatch(Precision::quantized)) {
      throw new IllegalArgumentException("precisions " + precisions + " include INT8: calibration is required");
    }
    EnumMap<Precision, Double> gates = new EnumMap<>(Precision.class);
    gates.putAll(maxTop1Drop);
    for (var g : gates.entrySet()) {
      if (!precisions.contains(g.getKey())) {
        throw new IllegalArgumentException("gate for " + g.getKey() + ", which is not among precisions " + precisions);
      }
      if (!(g.getValue() >= 0 && g.getValue() <= 1)) {
        throw new IllegalArgumentException("gate for " + g.getKey() + " must be in 0..1, got " + g.getValue());
      }
    }
    maxTop1Drop = Collections.unmodifiableMap(gates);
    profiles = List.copyOf(profiles);
    Objects.requireNonNull(imageBinding, "image_binding");
    pools = List.copyOf(pools);
    if (pools.isEmpty()) {
      throw new IllegalArgumentException("pools must name at least one pool");
    }
  }

  /**
   * The accuracy gate of a precision: trtfleet's default ({@link ValidationGates#defaults()}) with this
   * model's top-1 drop bound when it sets one.
   */
  public AccuracyGate gate(Precision precision) {
    AccuracyGate base = ValidationGates.defaults().gate(precision);
    Double drop = maxTop1Drop.get(precision);
    return drop == null ? base : new AccuracyGate(base.maxRelativeRmsError(), base.minTop1Agreement(), drop);
  }

  /** Whether any precision needs INT8 scales. */
  public boolean needsCalibration() {
    return precisions.stream().anyMatch(Precision::quantized);
  }
}
