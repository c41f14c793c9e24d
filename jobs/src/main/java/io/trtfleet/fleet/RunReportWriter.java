package io.trtfleet.fleet;

import io.trtfleet.Precision;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Writes a run's {@code report.json}, a self-contained {@code report.html} (what failed or waits first,
 * a chart of TensorRT engine throughput by GPU pool and precision, the targets table) and one
 * {@code models/<model>.html} per model: its precisions against its pools. Links are relative, so the
 * folder can be copied or served over HTTP.
 */
public final class RunReportWriter {

  private static final String STYLE = "<style>body{font-family:sans-serif;margin:1.5em;color:#222}"
      + "table{border-collapse:collapse;margin:.5em 0}"
      + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right;white-space:nowrap}"
      + "td:first-child,th{text-align:left}td.note{white-space:normal;text-align:left;min-width:20em;max-width:30em;font-size:90%}"
      + "td.cell{white-space:normal;text-align:left;vertical-align:top;max-width:24em}.FAILED,.GATE_FAILED{background:#fdd}.BUILT{background:#dfd}"
      + ".NOT_BUILT{background:#ffeccc}.SKIPPED{color:#666}.problems li{color:#a00}.waiting li{color:#8a5a00}</style>";

  private RunReportWriter() {}

  public static void write(RunReport report, Path dir) {
    try {
      Files.createDirectories(dir.resolve("models"));
      DirectoryStore.JSON.writeValue(dir.resolve("report.json").toFile(), report);
      Files.writeString(dir.resolve("report.html"), runPage(report), StandardCharsets.UTF_8);
      for (String model : new TreeSet<>(report.results().stream().map(TargetResult::model).toList())) {
        Files.writeString(dir.resolve("models").resolve(model + ".html"), modelPage(report, model),
            StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the run report to " + dir, e);
    }
  }

  static String runPage(RunReport report) {
    StringBuilder h = head("trtfleet run " + report.runId());
    h.append("<p>").append(esc(report.summaryLine())).append("</p>\n");
    List<String> problems = new java.util.ArrayList<>(report.unplannable().values());
    report.results().stream().filter(r -> r.status().failed())
        .forEach(r -> problems.add(r.model() + " " + r.precision() + " on " + r.pool() + ": " + r.status() + ": "
            + r.message()));
    list(h, "Failed", "problems", problems);
    list(h, "Waiting for a GPU of their pool (nothing published)", "waiting", report.results().stream()
        .filter(r -> r.status() == TargetResult.Status.NOT_BUILT)
        .map(r -> r.model() + " " + r.precision() + " on " + r.pool()).toList());
    h.append(chart(report.results()));
    h.append("<h2>Targets</h2>\n<table>\n<tr><th>model</th><th>pool</th><th>precision</th><th>status</th>"
        + "<th>note</th><th>engines / segments</th><th>% ops converted</th><th>top-1</th>"
        + "<th>&Delta; top-1 vs TF FP32</th><th>speedup vs FP32</th><th>samples/s</th><th>build s</th>"
        + "<th>device</th><th>backend</th><th>executor</th></tr>\n");
    for (TargetResult r : report.results()) {
      String model = "<a href=\"models/" + esc(r.model()) + ".html\">" + esc(r.model()) + "</a>";
      String cal = report.calibrationReports().get(r.model());
      if (cal != null && r.precision().startsWith("INT8")) {
        model += " (<a href=\"" + esc(cal) + "\">calibration</a>)";
      }
      h.append("<tr class=\"").append(r.status()).append("\"><td>").append(model).append("</td>");
      cells(h, esc(r.pool()), esc(r.precision()), r.status().name());
      h.append("<td class=\"note\">").append(esc(r.message())).append("</td>");
      cells(h, r.segments() == 0 ? "-" : r.engines() + " / " + r.segments(), num("%.1f", r.opsConvertedPercent()),
          num("%.4f", r.top1()), num("%+.4f", r.accuracyDelta()), num("%.2fx", report.speedupVsFp32(r)),
          num("%.0f", r.throughput()), num("%.1f", r.buildSeconds()), esc(r.deviceKey()), esc(r.backend()), worker(r));
      h.append("</tr>\n");
    }
    return h.append("</table>\n</body></html>\n").toString();
  }

  /** One model: its precisions (rows) against its pools (columns), status, top-1 and throughput in each cell. */
  static String modelPage(RunReport report, String model) {
    List<TargetResult> rows = report.results().stream().filter(r -> r.model().equals(model)).toList();
    StringBuilder h = head("trtfleet run " + report.runId() + ": " + model);
    h.append("<p><a href=\"../report.html\">back to the run</a>");
    Optional.ofNullable(report.calibrationReports().get(model))
        .ifPresent(c -> h.append(" &middot; <a href=\"../").append(esc(c)).append("\">INT8 calibration</a>"));
    h.append("</p>\n");
    Set<String> pools = new LinkedHashSet<>();
    Set<String> precisions = new LinkedHashSet<>();
    Map<String, TargetResult> cells = new LinkedHashMap<>();
    for (TargetResult r : rows) {
      pools.add(r.pool());
      precisions.add(r.precision());
      cells.put(r.precision() + "|" + r.pool(), r);
    }
    h.append("<table>\n<tr><th>precision</th>");
    pools.forEach(p -> h.append("<th>").append(esc(p)).append("</th>"));
    h.append("</tr>\n");
    for (String p : precisions) {
      h.append("<tr><td>").append(esc(p)).append("</td>");
      for (String pool : pools) {
        TargetResult r = cells.get(p + "|" + pool);
        if (r == null) {
          h.append("<td>-</td>");
          continue;
        }
        h.append("<td class=\"cell ").append(r.status()).append("\"><b>").append(r.status()).append("</b> ")
            .append(esc(r.backend()));
        if (r.segments() > 0) {
          h.append("<br>top-1 ").append(num("%.4f", r.top1())).append(" (&Delta; ").append(num("%+.4f",
              r.accuracyDelta())).append(")<br>").append(r.engines()).append(" of ").append(r.segments())
              .append(" segments with engines");
          if (Double.isFinite(r.throughput())) {
            h.append("<br>").append(num("%.0f", r.throughput())).append(" samples/s");
          }
        }
        if (!r.message().isEmpty()) {
          h.append("<br><small>").append(esc(r.message())).append("</small>");
        }
        h.append("</td>");
      }
      h.append("</tr>\n");
    }
    return h.append("</table>\n</body></html>\n").toString();
  }

  private static void list(StringBuilder h, String title, String cls, List<String> items) {
    if (items.isEmpty()) {
      return;
    }
    h.append("<h2>").append(esc(title)).append("</h2>\n<ul class=\"").append(cls).append("\">\n");
    items.forEach(i -> h.append("<li>").append(esc(i)).append("</li>\n"));
    h.append("</ul>\n");
  }

  private static StringBuilder head(String title) {
    return new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(esc(title))
        .append("</title>\n").append(STYLE).append("</head><body>\n<h1>").append(esc(title)).append("</h1>\n");
  }

  private static void cells(StringBuilder h, String... values) {
    for (String v : values) {
      h.append("<td>").append(v).append("</td>");
    }
  }

  private static String worker(TargetResult r) {
    return r.worker() == null ? "" : esc(r.worker().executorId() + "@" + r.worker().host() + " " + r.worker().resource()
        + ":" + r.worker().gpuAddress());
  }

  /**
   * Grouped bars of TensorRT targets: one group per model and GPU pool, one bar per precision, labelled in
   * samples/s. Models are never averaged together (a small RNN's rate would drown a transformer's); CPU
   * (ONNX Runtime) targets are not timed, so they are not here.
   */
  static String chart(List<TargetResult> rows) {
    Map<String, Map<String, Double>> groups = new LinkedHashMap<>();
    // Bars in Precision's order (FP32, FP16, INT8, ...), not alphabetical.
    TreeSet<String> precisions = new TreeSet<>(Comparator.comparing(Precision::parse));
    boolean onePool = rows.stream().filter(RunReportWriter::timed).map(TargetResult::pool).distinct().count() <= 1;
    for (TargetResult r : rows) {
      if (timed(r)) {
        String group = onePool ? r.model() : r.model() + " / " + r.pool();
        groups.computeIfAbsent(group, g -> new LinkedHashMap<>()).put(r.precision(), r.throughput());
        precisions.add(r.precision());
      }
    }
    if (groups.isEmpty()) {
      return "<h2>TensorRT engine throughput</h2>\n<p>No TensorRT engine was timed in this run (targets skipped,"
          + " not built for want of a GPU, or built for the CPU).</p>\n";
    }
    double max = groups.values().stream().flatMap(m -> m.values().stream()).mapToDouble(Double::doubleValue).max()
        .orElse(1);
    String[] colors = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2"};
    List<String> ps = List.copyOf(precisions);
    int bar = 48;
    int groupWidth = Math.max(ps.size() * bar, 8 * groups.keySet().stream().mapToInt(String::length).max().orElse(0)) + 30;
    int left = 70;
    int width = left + groups.size() * groupWidth + 120;
    StringBuilder s = new StringBuilder("<h2>TensorRT engine throughput by model and precision</h2>\n<p>Samples/s"
        + " of a target's slowest engine at its largest benchmarked batch" + (onePool ? "" : ", per GPU pool")
        + ".</p>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"270\""
        + " font-family=\"sans-serif\">\n");
    for (int t = 0; t <= 4; t++) {
      int y = 220 - 45 * t;
      s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/><text x=\"%d\""
          + " y=\"%d\" font-size=\"12\" text-anchor=\"end\">%s</text>\n", left, y, width - 120, y, left - 6, y + 4,
          compact(max * t / 4)));
    }
    int x = left + 15;
    for (Map.Entry<String, Map<String, Double>> g : groups.entrySet()) {
      for (int i = 0; i < ps.size(); i++) {
        Double v = g.getValue().get(ps.get(i));
        if (v == null) {
          continue;
        }
        int hgt = (int) Math.round(180 * v / max);
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>%s %s:"
            + " %.0f samples/s</title></rect><text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>\n",
            x + i * bar, 220 - hgt, bar - 6, hgt, colors[i % colors.length], esc(g.getKey()), esc(ps.get(i)), v,
            x + i * bar + (bar - 6) / 2, 216 - hgt, compact(v)));
      }
      s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"240\" font-size=\"13\">%s</text>\n", x, esc(g.getKey())));
      x += groupWidth;
    }
    s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"220\" x2=\"%d\" y2=\"220\" stroke=\"#333\"/>"
        + "<line x1=\"%d\" y1=\"30\" x2=\"%d\" y2=\"220\" stroke=\"#333\"/>\n", left, x, left, left));
    for (int i = 0; i < ps.size(); i++) {
      s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\""
          + " y=\"%d\" font-size=\"12\">%s</text>\n", x + 10, 40 + i * 18, colors[i % colors.length], x + 28,
          51 + i * 18, esc(ps.get(i))));
    }
    return s.append("</svg>\n").toString();
  }

  private static boolean timed(TargetResult r) {
    return r.backend() != null && r.backend().startsWith("trt-") && Double.isFinite(r.throughput()) && r.throughput() > 0;
  }

  /** 2,667,503 as 2.67M, 40,859 as 40.9k: labels that fit a bar. */
  static String compact(double v) {
    if (v == 0) {
      return "0";
    }
    if (v >= 1e6) {
      return String.format(Locale.ROOT, "%.3gM", v / 1e6);
    }
    if (v >= 1e3) {
      return String.format(Locale.ROOT, "%.3gk", v / 1e3);
    }
    return String.format(Locale.ROOT, "%.3g", v);
  }

  private static String num(String fmt, double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, fmt, v) : "-";
  }

  static String esc(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
