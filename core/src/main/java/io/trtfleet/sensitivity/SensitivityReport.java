package io.trtfleet.sensitivity;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trtfleet.Precision;
import io.trtfleet.verify.AccuracyGate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A sensitivity analysis: per segment, how much each quantized tensor costs, measured on {@code samples}
 * held-out samples against FP32 TensorFlow ({@code labelled}: with top-1 accuracy drops), judged by
 * {@code gate}, each variant run on {@code runOn} (ONNX Runtime on the CPU, or TensorRT on a GPU).
 * {@code skipped} names the segments with nothing to analyze and why.
 */
public record SensitivityReport(String model, Precision precision, long samples, boolean labelled, AccuracyGate gate,
    String runOn, List<SegmentSensitivity> segments, Map<String, String> skipped) {

  /** Most sensitive first: by the error when only the tensor is quantized, then by the error when only it is float. */
  static final Comparator<TensorSensitivity> MOST_SENSITIVE_FIRST = Comparator
      .comparingDouble((TensorSensitivity t) -> -nanAsWorst(t.onlyQuantized().relativeRmsError()))
      .thenComparingDouble(t -> t.onlyFloat() == null ? 0 : nanAsWorst(t.onlyFloat().relativeRmsError()));

  public SensitivityReport {
    segments = List.copyOf(segments);
    skipped = Map.copyOf(skipped);
  }

  /** Every analyzed tensor over all segments, most sensitive first. */
  public List<TensorSensitivity> ranking() {
    return segments.stream().flatMap(s -> s.tensors().stream()).sorted(MOST_SENSITIVE_FIRST).toList();
  }

  /** {@code sensitivity.json} (this report with the global ranking first) and {@code sensitivity.html} in {@code dir}. */
  public List<Path> write(Path dir) {
    ObjectMapper json = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = json.createObjectNode();
    root.set("ranking", json.valueToTree(ranking()));
    root.setAll((ObjectNode) json.valueToTree(this));
    Path jsonFile = dir.resolve("sensitivity.json");
    Path page = dir.resolve("sensitivity.html");
    try {
      Files.createDirectories(dir);
      Files.write(jsonFile, json.writeValueAsBytes(root));
      Files.writeString(page, SensitivityPage.html(this));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the sensitivity report to " + dir, e);
    }
    return List.of(jsonFile, page);
  }

  /** NaN (a broken conversion) ranks as the worst. */
  private static double nanAsWorst(double v) {
    return Double.isNaN(v) ? Double.MAX_VALUE : v;
  }
}
