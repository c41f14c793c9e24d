package io.trtfleet.quantize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a calibration into {@code <dir>/}: {@code calibration.cache} (TensorRT text format),
 * {@code calibration.json} (the auditable table) and {@code histograms.html} (one plot per tensor).
 */
public final class CalibrationWriter {

  public static final String CACHE = "calibration.cache";
  public static final String JSON = "calibration.json";
  public static final String HTML = "histograms.html";

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private CalibrationWriter() {}

  public static void write(CalibrationResult result, Path dir) throws IOException {
    Files.createDirectories(dir);
    result.table().write(dir.resolve(CACHE));
    MAPPER.writeValue(dir.resolve(JSON).toFile(), toJson(result));
    Files.writeString(dir.resolve(HTML), html(result), StandardCharsets.UTF_8);
  }

  static Map<String, Object> toJson(CalibrationResult r) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("algorithm", r.algorithm());
    root.put("cache_header", r.table().header());
    root.put("parameters", r.parameters());
    root.put("dataset", Map.of("uri", r.datasetUri(), "sha256", r.datasetDigest()));
    root.put("samples", r.samples());
    root.put("all_zero_tensors", r.allZeroTensors());
    List<Map<String, Object>> tensors = r.tensors().stream().map(t -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("tensor", t.tensor());
      m.put("amax", t.amax());
      m.put("scale", t.scale());
      m.put("scale_hex", Integer.toHexString(Float.floatToRawIntBits(t.scale())));
      m.put("amax_by_algorithm", t.amaxByAlgorithm());
      m.put("bin_width", t.binWidth());
      m.put("values", t.values());
      m.put("min", t.min());
      m.put("max", t.max());
      m.put("mean", t.mean());
      m.put("std", t.std());
      m.put("all_zero", t.allZero());
      m.put("histogram", t.counts());
      return m;
    }).toList();
    root.put("tensors", tensors);
    return root;
  }

  static String html(CalibrationResult r) {
    StringBuilder s = new StringBuilder("<!doctype html><html><head><meta charset='utf-8'><title>trtfleet calibration</title>"
        + "<style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse}"
        + "td,th{padding:2px 8px;border-bottom:1px solid #eee;text-align:right}td:first-child,th:first-child{text-align:left}"
        + ".plot{margin:18px 0}</style></head><body>");
    s.append("<h1>INT8 calibration</h1><p>Algorithm <b>").append(r.algorithm()).append("</b> on <code>")
        .append(HistogramPlot.escape(r.datasetUri())).append("</code> (").append(r.samples())
        .append(" samples, sha256 ").append(r.datasetDigest(), 0, Math.min(12, r.datasetDigest().length()))
        .append("). Bars: |x| histogram, log scale. Red: the chosen threshold; grey dashed: the other algorithms.</p>");
    s.append("<table><tr><th>tensor</th><th>amax</th><th>scale</th>");
    List<String> algorithms = r.tensors().isEmpty() ? List.of() : List.copyOf(r.tensors().get(0).amaxByAlgorithm().keySet());
    algorithms.forEach(a -> s.append("<th>").append(a).append("</th>"));
    s.append("<th>max |x|</th></tr>");
    for (TensorCalibration t : r.tensors()) {
      s.append("<tr><td><a href='#").append(anchor(t.tensor())).append("'>").append(HistogramPlot.escape(t.tensor()))
          .append("</a>").append(t.allZero() ? " (all zero)" : "").append("</td>")
          .append(String.format(Locale.ROOT, "<td>%.5g</td><td>%.5g</td>", t.amax(), t.scale()));
      algorithms.forEach(a -> s.append(String.format(Locale.ROOT, "<td>%.5g</td>", t.amaxByAlgorithm().get(a))));
      s.append(String.format(Locale.ROOT, "<td>%.5g</td></tr>", Math.max(Math.abs(t.min()), Math.abs(t.max()))));
    }
    s.append("</table>");
    for (TensorCalibration t : r.tensors()) {
      s.append("<div class='plot' id='").append(anchor(t.tensor())).append("'>")
          .append(HistogramPlot.svg(t, r.algorithm())).append("</div>");
    }
    return s.append("</body></html>\n").toString();
  }

  private static String anchor(String tensor) {
    return "t-" + tensor.replaceAll("[^A-Za-z0-9_-]", "_");
  }
}
