package io.trtfleet.fleet;

import io.trtfleet.TrtfleetException;
import io.trtfleet.convert.OptimizationProfile;
import io.trtfleet.Precision;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.quantize.CalibrationAlgorithm;
import io.trtfleet.tensorrt.ImageBinding;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code conf/models.yaml}: the models of the fleet, checked against the pools of {@code fleet.yaml}. */
public record ModelRegistry(List<ModelSpec> models) {

  static final Set<String> MODEL_KEYS = Set.of("name", "model", "tags", "signature", "precisions", "calibration",
      "validation", "gates", "profiles", "image_binding", "pools");
  static final int DEFAULT_VALIDATION_SAMPLES = 1000;

  public ModelRegistry {
    models = List.copyOf(models);
  }

  public static ModelRegistry load(Path file, FleetConfig fleet) {
    YamlConf root = YamlConf.load(file).onlyKeys(Set.of("models"));
    List<ModelSpec> models = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (YamlConf m : root.list("models")) {
      ModelSpec spec = model(m.onlyKeys(MODEL_KEYS), fleet);
      if (!names.add(spec.name())) {
        throw m.fail("name", "model '" + spec.name() + "' is defined twice");
      }
      models.add(spec);
    }
    return new ModelRegistry(models);
  }

  private static ModelSpec model(YamlConf m, FleetConfig fleet) {
    String name = m.string("name");
    String model = m.uri("model");
    String tags = m.string("tags", ImportOptions.SERVE_TAG);
    String signature = m.string("signature", ImportOptions.DEFAULT_SIGNATURE);
    List<Precision> precisions = new ArrayList<>();
    for (String p : m.strings("precisions")) {
      try {
        precisions.add(Precision.parse(p));
      } catch (TrtfleetException e) {
        throw m.fail("precisions", e.getMessage());
      }
    }
    ModelSpec.CalibrationSpec calibration = null;
    if (m.has("calibration")) {
      YamlConf c = m.mapping("calibration").onlyKeys(Set.of("data", "algorithm", "samples"));
      calibration = new ModelSpec.CalibrationSpec(c.uri("data"),
          c.parse("algorithm", CalibrationAlgorithm::parse), c.integer("samples", 0));
    } else if (precisions.stream().anyMatch(Precision::quantized)) {
      throw m.fail("calibration", "missing: precisions " + precisions + " include INT8, which needs calibration data");
    }
    YamlConf v = m.mapping("validation").onlyKeys(Set.of("data", "samples"));
    long samples = v.integer("samples", DEFAULT_VALIDATION_SAMPLES);
    if (samples <= 0 || samples > Integer.MAX_VALUE) {
      throw v.fail("samples", "must be a positive integer, got " + samples);
    }
    String data = v.string("data").equals("random") ? "random" : v.uri("data");  // random[:SEED] or a data URI
    ModelSpec.ValidationSpec validation = new ModelSpec.ValidationSpec(data, (int) samples);
    Map<Precision, Double> gates = gates(m, precisions);
    List<OptimizationProfile> profiles = m.has("profiles") ? profiles(m) : List.of();
    ImageBinding binding = m.parse("image_binding", b -> ImageBinding.valueOf(b.toUpperCase(Locale.ROOT)),
        ImageBinding.CHANNEL_LAST,
        "AS_SHAPED, CHANNEL_LAST (the default), NCHW");
    List<String> pools = m.strings("pools");
    for (String p : pools) {
      if (fleet.pool(p).isEmpty()) {
        throw FleetConfig.unknownPool(m, "pools", p, fleet);
      }
    }
    try {
      return new ModelSpec(name, model, tags, signature, precisions, calibration, validation, gates, profiles, binding, pools);
    } catch (IllegalArgumentException e) {
      throw m.failHere(e.getMessage());
    }
  }

  /** {@code gates: {max_top1_drop: {INT8: 0.01, FP16: 0.002}}}. */
  private static Map<Precision, Double> gates(YamlConf m, List<Precision> precisions) {
    Map<Precision, Double> gates = new EnumMap<>(Precision.class);
    if (!m.has("gates")) {
      return gates;
    }
    YamlConf drops = m.mapping("gates").onlyKeys(Set.of("max_top1_drop")).mapping("max_top1_drop");
    for (String key : drops.keys()) {
      Precision p;
      try {
        p = Precision.parse(key);
      } catch (TrtfleetException e) {
        throw drops.fail(key, e.getMessage());
      }
      if (!precisions.contains(p)) {
        throw drops.fail(key, p + " is not among the model's precisions " + precisions);
      }
      double d = drops.number(key);
      if (!(d >= 0 && d <= 1)) {
        throw drops.fail(key, "a top-1 drop is in 0..1 (0.01 = one point), got " + d);
      }
      gates.put(p, d);
    }
    return gates;
  }

  /** {@code profiles: [{images: {min: [1,28,28,1], opt: [...], max: [...]}}]}. */
  private static List<OptimizationProfile> profiles(YamlConf m) {
    List<OptimizationProfile> out = new ArrayList<>();
    for (YamlConf p : m.list("profiles")) {
      if (!p.isMapping() || p.keys().isEmpty()) {
        throw p.failHere("expected a mapping of input name to {min, opt, max}");
      }
      Map<String, OptimizationProfile.Dims> inputs = new LinkedHashMap<>();
      for (String input : p.keys()) {
        YamlConf d = p.mapping(input).onlyKeys(Set.of("min", "opt", "max"));
        long[] min = d.child("min").longs();
        long[] opt = d.child("opt").longs();
        long[] max = d.child("max").longs();
        if (min.length != opt.length || opt.length != max.length) {
          throw p.fail(input, "min, opt and max must have the same rank");
        }
        for (int i = 0; i < min.length; i++) {
          if (min[i] < 1 || min[i] > opt[i] || opt[i] > max[i]) {
            throw p.fail(input, "needs 1 <= min <= opt <= max in every dimension (dimension " + i + ")");
          }
        }
        inputs.put(input, new OptimizationProfile.Dims(min, opt, max));
      }
      out.add(new OptimizationProfile(inputs));
    }
    return out;
  }
}
