package io.trtfleet.quantize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
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
    Files.writeString(dir.resolve(HTML), HistogramPage.html(result), StandardCharsets.UTF_8);
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
}
