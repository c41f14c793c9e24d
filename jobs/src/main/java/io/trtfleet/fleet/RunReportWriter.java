package io.trtfleet.fleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Writes a run's {@code report.json}, a self-contained {@code report.html} (targets table, inline SVG chart
 * of throughput by GPU type and precision, links) and one {@code models/<model>.html} per model.
 */
public final class RunReportWriter {

  private RunReportWriter() {}

  public static void write(RunReport report, Path dir) {
    try {
      Files.createDirectories(dir.resolve("models"));
      DirectoryStore.JSON.writeValue(dir.resolve("report.json").toFile(), report);
      Files.writeString(dir.resolve("report.html"), html(report, report.results(), "models/"), StandardCharsets.UTF_8);
      for (String model : new TreeSet<>(report.results().stream().map(TargetResult::model).toList())) {
        List<TargetResult> rows = report.results().stream().filter(r -> r.model().equals(model)).toList();
        Files.writeString(dir.resolve("models").resolve(model + ".html"), html(report, rows, ""),
            StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the run report to " + dir, e);
    }
  }

  static String html(RunReport report, List<TargetResult> rows, String modelLinkPrefix) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>trtfleet run ").append(esc(report.runId()))
        .append("</title>\n<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}"
            + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th{text-align:left}"
            + ".FAILED,.GATE_FAILED{background:#fdd}.BUILT{background:#dfd}.SKIPPED{color:#666}</style></head><body>\n");
    h.append("<h1>trtfleet run ").append(esc(report.runId())).append("</h1>\n<p>").append(esc(report.summaryLine()))
        .append("</p>\n");
    h.append(chart(report, rows));
    h.append("<table>\n<tr><th>model</th><th>pool</th><th>device</th><th>TensorRT</th><th>precision</th><th>status</th>"
        + "<th>engines</th><th>% ops converted</th><th>top-1</th><th>accuracy &Delta; vs TF FP32</th>"
        + "<th>speedup vs FP32</th><th>samples/s</th><th>build s</th><th>backend</th><th>executor</th><th>note</th></tr>\n");
    for (TargetResult r : rows) {
      String model = modelLinkPrefix.isEmpty() ? esc(r.model())
          : "<a href=\"" + modelLinkPrefix + esc(r.model()) + ".html\">" + esc(r.model()) + "</a>";
      String cal = report.calibrationReports().get(r.model());
      if (cal != null && r.precision().startsWith("INT8")) {
        model += " (<a href=\"" + esc(cal) + "\">calibration</a>)";
      }
      h.append("<tr class=\"").append(r.status()).append("\"><td>").append(model).append("</td><td>")
          .append(esc(r.pool())).append("</td><td>").append(esc(r.deviceKey())).append("</td><td>")
          .append(esc(r.trtVersion())).append("</td><td>").append(esc(r.precision())).append("</td><td>")
          .append(r.status()).append("</td><td>").append(r.engines()).append("</td><td>")
          .append(num("%.1f", r.opsConvertedPercent())).append("</td><td>").append(num("%.4f", r.top1()))
          .append("</td><td>").append(num("%+.4f", r.accuracyDelta())).append("</td><td>")
          .append(num("%.2fx", report.speedupVsFp32(r))).append("</td><td>").append(num("%.0f", r.throughput()))
          .append("</td><td>").append(num("%.1f", r.buildSeconds())).append("</td><td>").append(esc(r.backend()))
          .append("</td><td>").append(r.worker() == null ? "" : esc(r.worker().executorId() + "@" + r.worker().host()
              + " " + r.worker().resource() + ":" + r.worker().gpuAddress()))
          .append("</td><td>").append(esc(r.message())).append("</td></tr>\n");
    }
    return h.append("</table>\n</body></html>\n").toString();
  }

  /** Grouped bars: one group per GPU type (pool), one bar per precision, mean samples/s over models. */
  static String chart(RunReport report, List<TargetResult> rows) {
    Map<String, Map<String, double[]>> sums = new LinkedHashMap<>();
    TreeSet<String> precisions = new TreeSet<>();
    for (TargetResult r : rows) {
      if (Double.isFinite(r.throughput()) && r.throughput() > 0) {
        double[] s = sums.computeIfAbsent(r.pool(), p -> new LinkedHashMap<>()).computeIfAbsent(r.precision(),
            p -> new double[2]);
        s[0] += r.throughput();
        s[1]++;
        precisions.add(r.precision());
      }
    }
    if (sums.isEmpty()) {
      return "<p>No throughput measured in this run (every target skipped or failed).</p>\n";
    }
    double max = sums.values().stream().flatMap(m -> m.values().stream()).mapToDouble(s -> s[0] / s[1]).max().orElse(1);
    String[] colors = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2"};
    List<String> ps = List.copyOf(precisions);
    int bar = 28;
    int groupWidth = ps.size() * bar + 30;
    int width = 60 + sums.size() * groupWidth + 120;
    int height = 240;
    StringBuilder s = new StringBuilder("<h2>Throughput by GPU type and precision (mean samples/s)</h2>\n<svg xmlns="
        + "\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"" + height + "\">\n");
    int x = 60;
    for (Map.Entry<String, Map<String, double[]>> g : sums.entrySet()) {
      for (int i = 0; i < ps.size(); i++) {
        double[] v = g.getValue().get(ps.get(i));
        if (v == null) {
          continue;
        }
        double mean = v[0] / v[1];
        int hgt = (int) Math.round(180 * mean / max);
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>%s %s:"
            + " %.0f samples/s</title></rect>\n", x + i * bar, 200 - hgt, bar - 4, hgt, colors[i % colors.length],
            esc(g.getKey()), esc(ps.get(i)), mean));
      }
      s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"218\" font-size=\"12\">%s</text>\n", x, esc(g.getKey())));
      x += groupWidth;
    }
    for (int i = 0; i < ps.size(); i++) {
      s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\""
          + " y=\"%d\" font-size=\"12\">%s</text>\n", x + 10, 20 + i * 18, colors[i % colors.length], x + 28,
          31 + i * 18, esc(ps.get(i))));
    }
    s.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"24\" font-size=\"11\">%.0f</text><line x1=\"56\" y1=\"200\""
        + " x2=\"%d\" y2=\"200\" stroke=\"#333\"/>\n", max, x));
    return s.append("</svg>\n").toString();
  }

  private static String num(String fmt, double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, fmt, v) : "-";
  }

  static String esc(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
