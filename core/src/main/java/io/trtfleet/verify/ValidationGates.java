package io.trtfleet.verify;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trtfleet.Messages;
import io.trtfleet.TrtfleetException;
import io.trtfleet.Precision;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The accuracy gate of each precision (conf/validation-gates.json): engines that miss their gate are
 * reported as failed and not published.
 *
 * <pre>{"FP16": {"max_relative_rms_error": 0.01, "min_top1_agreement": 0.99, "max_top1_drop": 0.005}, ...}</pre>
 */
public record ValidationGates(Map<Precision, AccuracyGate> gates) {

  private static final Set<String> FIELDS = Set.of("max_relative_rms_error", "min_top1_agreement", "max_top1_drop");

  public ValidationGates {
    gates = Map.copyOf(gates);
    for (Precision p : Precision.values()) {
      if (!gates.containsKey(p)) {
        throw new IllegalArgumentException("no accuracy gate for " + p);
      }
    }
  }

  /**
   * Defaults: FP32 differs from TensorFlow only by kernel order, FP16 by rounding, INT8 and FP8 by
   * quantization (FP8 E4M3 keeps 3 mantissa bits at every magnitude where INT8 keeps 7 at the top of its
   * range: the same bounds hold both to about the same accuracy).
   */
  public static ValidationGates defaults() {
    Map<Precision, AccuracyGate> g = new EnumMap<>(Precision.class);
    g.put(Precision.FP32, new AccuracyGate(1e-3, 0.999, 0.001));
    g.put(Precision.FP16, new AccuracyGate(1e-2, 0.99, 0.005));
    g.put(Precision.INT8, new AccuracyGate(0.1, 0.97, 0.005));
    g.put(Precision.INT8_FP32, new AccuracyGate(0.1, 0.97, 0.005));
    g.put(Precision.FP8, new AccuracyGate(0.1, 0.97, 0.005));
    return new ValidationGates(g);
  }

  public AccuracyGate gate(Precision precision) {
    return gates.get(precision);
  }

  /** Reads a gates file; precisions it leaves out keep their defaults. */
  public static ValidationGates read(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(file.toFile());
    } catch (IOException e) {
      throw new TrtfleetException("cannot read validation gates " + file + ": " + Messages.firstLine(e.getMessage()));
    }
    if (root == null || !root.isObject()) {
      throw new TrtfleetException("validation gates " + file + " must be a JSON object keyed by precision (FP32, FP16, INT8, FP8)");
    }
    Map<Precision, AccuracyGate> g = new EnumMap<>(defaults().gates());
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Precision p = Precision.parse(e.getKey());
      AccuracyGate base = g.get(p);
      JsonNode n = e.getValue();
      n.fieldNames().forEachRemaining(f -> {
        if (!FIELDS.contains(f)) {
          throw new TrtfleetException("validation gates " + file + ": unknown key " + e.getKey() + "." + f
              + " (known: " + FIELDS + ")");
        }
      });
      try {
        g.put(p, new AccuracyGate(n.path("max_relative_rms_error").asDouble(base.maxRelativeRmsError()),
            n.path("min_top1_agreement").asDouble(base.minTop1Agreement()),
            n.path("max_top1_drop").asDouble(base.maxTop1Drop())));
      } catch (IllegalArgumentException bad) {
        throw new TrtfleetException("validation gates " + file + ": " + e.getKey() + ": " + bad.getMessage());
      }
    }
    return new ValidationGates(g);
  }
}
