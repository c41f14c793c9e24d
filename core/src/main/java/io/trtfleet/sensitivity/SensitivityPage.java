package io.trtfleet.sensitivity;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code sensitivity.html}: per segment, one bar chart of its quantized tensors, most sensitive first, on
 * a log axis of the relative RMS error against FP32 TensorFlow (a bar for "only this tensor quantized",
 * one for "only this tensor in float"), with the all-quantized and none-quantized errors and the gate's
 * bound as vertical lines; then the table of every figure. The picture reads without the table.
 */
public final class SensitivityPage {

  static final String QUANTIZED_COLOR = "#d62728";
  static final String FLOAT_COLOR = "#4c78a8";
  private static final int WIDTH = 1000;
  private static final int LABEL = 330;
  private static final int RIGHT = 24;
  private static final int TOP = 46;
  private static final int BOTTOM = 44;
  private static final int ROW = 26;
  private static final int FONT = 12;
  private static final int READER_FONT = 9;
  private static final double CHAR = 7.3; // monospace advance at FONT

  private static final String STYLE = "body{font-family:sans-serif;margin:24px auto;max-width:1040px;color:#222;"
      + "line-height:1.4}h1{font-size:22px;margin:0 0 8px}h2{font-size:16px;margin:26px 0 6px}"
      + "table{border-collapse:collapse;font-size:13px;margin:12px 0}td,th{padding:3px 9px;"
      + "border-bottom:1px solid #e6e6e6;text-align:right}td.t,th.t{text-align:left;font-family:monospace;"
      + "overflow-wrap:anywhere;max-width:330px}th{border-bottom:2px solid #222}.note{color:#555;font-size:13px}"
      + ".legend span{display:inline-block;margin-right:18px;font-size:13px}.sw{display:inline-block;width:18px;"
      + "height:10px;margin-right:5px;vertical-align:middle}svg{max-width:100%;height:auto}";

  private SensitivityPage() {}

  public static String html(SensitivityReport r) {
    StringBuilder s = new StringBuilder("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>")
        .append(r.precision()).append(" sensitivity: ").append(esc(r.model())).append("</title><style>").append(STYLE)
        .append("</style></head><body>");
    // An analysis run one way (--quantized-only) has no "only in float" figures: the page does not promise them.
    boolean floatToo = r.segments().stream().flatMap(seg -> seg.tensors().stream()).anyMatch(t -> t.onlyFloat() != null);
    s.append("<h1>").append(r.precision()).append(" sensitivity: ").append(esc(r.model())).append("</h1>");
    s.append(fmt("<p>Each tensor a quantized layer reads, measured on %,d held-out samples%s against FP32 TensorFlow"
        + " (%s): the segment's output error when <b>only this tensor</b> is quantized (with the"
        + " weights of the layers reading it)%s. Gate: relative RMS error &le; %.3g, top-1 agreement &ge; %.3g%s.</p>",
        r.samples(), r.labelled() ? " with labels" : "", esc(r.runOn()),
        floatToo ? ", and when only this one is left in float with every other quantized" : "",
        r.gate().maxRelativeRmsError(), r.gate().minTop1Agreement(),
        r.labelled() ? fmt(", top-1 drop &le; %.2f points", 100 * r.gate().maxTop1Drop()) : ""));
    s.append("<div class='legend'>")
        .append(swatch(QUANTIZED_COLOR, "only this tensor quantized"))
        .append(floatToo ? swatch(FLOAT_COLOR, "only this tensor in float") : "")
        .append("<span>red dashes: all quantized &nbsp; grey dashes: none quantized &nbsp; black: the gate</span>")
        .append("</div>");
    for (SegmentSensitivity seg : r.segments()) {
      s.append("<h2>").append(esc(seg.segment())).append(": ").append(seg.tensors().size())
          .append(" quantized tensors</h2>");
      s.append(fmt("<p class='note'>All quantized: relative RMS error %.3g%s%s. None quantized: %.3g.</p>",
          seg.allQuantized().relativeRmsError(), seg.allQuantized().top1Agreement() == null ? ""
              : fmt(", top-1 agreement %.4f", seg.allQuantized().top1Agreement()),
          seg.allQuantized().meetsGate() ? " (meets the gate)" : " (<b>misses the gate</b>)",
          seg.noneQuantized().relativeRmsError()));
      s.append(svg(seg, r.gate().maxRelativeRmsError()));
      s.append(table(seg, floatToo));
    }
    r.skipped().forEach((seg, why) -> s.append("<p class='note'>").append(esc(seg)).append(": not analyzed, ")
        .append(esc(why)).append("</p>"));
    return s.append("</body></html>\n").toString();
  }

  static String svg(SegmentSensitivity seg, double gate) {
    List<TensorSensitivity> rows = seg.tensors();
    int plotW = WIDTH - LABEL - RIGHT;
    int height = TOP + rows.size() * ROW + BOTTOM;
    int plotBottom = TOP + rows.size() * ROW;
    List<Double> values = new ArrayList<>(List.of(seg.allQuantized().relativeRmsError(),
        seg.noneQuantized().relativeRmsError(), gate));
    for (TensorSensitivity t : rows) {
      values.add(t.onlyQuantized().relativeRmsError());
      if (t.onlyFloat() != null) {
        values.add(t.onlyFloat().relativeRmsError());
      }
    }
    double lo = values.stream().filter(v -> v > 0 && Double.isFinite(v)).min(Double::compare).orElse(1e-4);
    double hi = values.stream().filter(Double::isFinite).max(Double::compare).orElse(1.0);
    int d0 = (int) Math.floor(Math.log10(lo));
    int d1 = Math.max(d0 + 1, (int) Math.ceil(Math.log10(hi)));
    Axis x = new Axis(LABEL, plotW, d0, d1);
    StringBuilder s = new StringBuilder(fmt("<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 %d %d' width='%d'"
        + " height='%d' font-family='sans-serif' font-size='%d' role='img'>", WIDTH, height, WIDTH, height, FONT));
    s.append("<title>").append(esc(seg.segment())).append(": error per quantized tensor</title>");
    s.append(fmt("<rect x='%d' y='%d' width='%d' height='%d' fill='#fcfcfc'/>", LABEL, TOP, plotW, plotBottom - TOP));
    for (int d = d0; d <= d1; d++) {
      double px = x.at(Math.pow(10, d));
      s.append(fmt("<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#e3e3e3'/>", px, TOP, px, plotBottom));
      s.append(fmt("<text x='%.1f' y='%d' text-anchor='middle' fill='#222'>%s</text>", px, plotBottom + 16,
          decade(d)));
    }
    s.append(fmt("<text x='%d' y='%d' text-anchor='middle' fill='#222'>relative RMS error against FP32 TensorFlow"
        + " (log)</text>", LABEL + plotW / 2, plotBottom + 36));
    for (int i = 0; i < rows.size(); i++) {
      TensorSensitivity t = rows.get(i);
      int y = TOP + i * ROW;
      String name = t.tensor();
      // Tensor names like Relu_31:0 say little; the layer reading it (smaller, below) says where it is.
      String reader = String.join(", ", t.readers());
      int middle = y + ROW / 2;
      s.append(fmt("<text x='%d' y='%d' text-anchor='end' dominant-baseline='middle' font-family='monospace'"
          + " fill='#222'><title>%s</title>%s</text>", LABEL - 8, reader.isEmpty() ? middle : middle - 5, esc(name),
          esc(fit(name, FONT))));
      if (!reader.isEmpty()) {
        s.append(fmt("<text x='%d' y='%d' text-anchor='end' dominant-baseline='middle' font-family='monospace'"
            + " font-size='%d' fill='#777'><title>read by %s</title>%s</text>", LABEL - 8, middle + 7, READER_FONT,
            esc(reader), esc(fit(reader, READER_FONT))));
      }
      s.append(bar(x, y + 4, 9, t.onlyQuantized().relativeRmsError(), QUANTIZED_COLOR, name + ": only it quantized"));
      if (t.onlyFloat() != null) {
        s.append(bar(x, y + 13, 9, t.onlyFloat().relativeRmsError(), FLOAT_COLOR, name + ": only it in float"));
      }
    }
    s.append(vline(x, seg.allQuantized().relativeRmsError(), QUANTIZED_COLOR, "6,4", "all quantized", plotBottom, 0));
    s.append(vline(x, seg.noneQuantized().relativeRmsError(), "#777", "6,4", "none quantized", plotBottom, 1));
    s.append(vline(x, gate, "#111", null, "gate", plotBottom, 2));
    s.append(fmt("<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#222'/>", LABEL, plotBottom, LABEL + plotW,
        plotBottom));
    return s.append("</svg>").toString();
  }

  /** {@code text} cut from the left to fit the label column at {@code font} px ("…" marks the cut). */
  private static String fit(String text, int font) {
    int fit = (int) ((LABEL - 16) / (CHAR * font / FONT));
    return text.length() > fit ? "\u2026" + text.substring(text.length() - fit + 1) : text;
  }

  private static String bar(Axis x, int y, int h, double v, String color, String title) {
    double end = Double.isFinite(v) && v > 0 ? x.at(v) : x.left + x.width;
    return fmt("<rect x='%d' y='%d' width='%.1f' height='%d' fill='%s'><title>%s: %.3g</title></rect>", x.left, y,
        Math.max(1, end - x.left), h, color, esc(title), v);
  }

  /** A vertical reference line; its label sits above the plot, one text row per line so close lines stay readable. */
  private static String vline(Axis x, double v, String color, String dash, String label, int bottom, int slot) {
    if (!(v > 0) || !Double.isFinite(v)) {
      return "";
    }
    double px = x.at(v);
    String anchor = px > x.left + x.width - 90 ? "end" : px < x.left + 90 ? "start" : "middle";
    return fmt("<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='%s' stroke-width='2'%s/>", px, TOP - 4, px, bottom,
        color, dash == null ? "" : " stroke-dasharray='" + dash + "'")
        + fmt("<text x='%.1f' y='%d' text-anchor='%s' fill='%s'>%s %.3g</text>", px, TOP - 8 - 12 * slot, anchor,
            color, label, v);
  }

  private static String table(SegmentSensitivity seg, boolean floatToo) {
    StringBuilder s = new StringBuilder("<table><tr><th>#</th><th class='t'>tensor</th><th class='t'>read by</th>"
        + "<th>only quantized: rel. RMS</th><th>top-1 agree</th><th>top-1 drop</th>"
        + (floatToo ? "<th>only float: rel. RMS</th><th>top-1 agree</th><th>top-1 drop</th>" : "") + "</tr>");
    int rank = 1;
    for (TensorSensitivity t : seg.tensors()) {
      s.append("<tr><td>").append(rank++).append("</td><td class='t'>").append(esc(t.tensor()))
          .append("</td><td class='t'>").append(esc(String.join(", ", t.readers()))).append("</td>")
          .append(cells(t.onlyQuantized())).append(!floatToo ? "" : t.onlyFloat() == null ? "<td></td><td></td><td></td>"
              : cells(t.onlyFloat())).append("</tr>");
    }
    return s.append("</table>").toString();
  }

  private static String cells(Score sc) {
    return fmt("<td>%.3g</td><td>%s</td><td>%s</td>", sc.relativeRmsError(),
        sc.top1Agreement() == null ? "" : fmt("%.4f", sc.top1Agreement()),
        sc.top1Drop() == null ? "" : fmt("%.2f", sc.top1Drop()));
  }

  private static String swatch(String color, String text) {
    return "<span><span class='sw' style='background:" + color + "'></span>" + esc(text) + "</span>";
  }

  private static String decade(int d) {
    return d >= 0 && d <= 2 ? String.valueOf((int) Math.pow(10, d)) : "1e" + d;
  }

  /** Log axis over whole decades. */
  private record Axis(int left, int width, int d0, int d1) {
    double at(double v) {
      double f = (Math.log10(Math.max(v, Math.pow(10, d0))) - d0) / (d1 - d0);
      return left + Math.min(1, f) * width;
    }
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;");
  }

  private static String fmt(String f, Object... args) {
    return String.format(Locale.ROOT, f, args);
  }
}
