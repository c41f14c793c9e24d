package io.trtfleet.quantize;

import java.util.Locale;
import java.util.Map;

/**
 * One tensor's |x| histogram as an inline SVG: log-scale counts, the chosen threshold as a bold line,
 * the other algorithms' thresholds as light dashed lines, so a reader sees why a scale was chosen.
 */
final class HistogramPlot {

  static final int WIDTH = 720;
  static final int HEIGHT = 220;
  private static final int LEFT = 50;
  private static final int BOTTOM = 30;
  private static final int TOP = 24;
  private static final int COLUMNS = 240;

  private HistogramPlot() {}

  static String svg(TensorCalibration t, String chosen) {
    long[] counts = t.counts();
    double xMax = counts.length * t.binWidth();
    for (float a : t.amaxByAlgorithm().values()) {
      xMax = Math.max(xMax, a * 1.02);
    }
    if (xMax <= 0) {
      xMax = 1;
    }
    // Sum bins into display columns; a log axis shows the tail that decides the threshold.
    long[] cols = new long[COLUMNS];
    for (int k = 0; k < counts.length; k++) {
      int col = (int) Math.min(COLUMNS - 1, (k + 0.5) * t.binWidth() / xMax * COLUMNS);
      cols[col] += counts[k];
    }
    double maxLog = 0;
    for (long c : cols) {
      maxLog = Math.max(maxLog, Math.log10(c + 1.0));
    }
    maxLog = Math.max(maxLog, 1);
    int plotW = WIDTH - LEFT - 10;
    int plotH = HEIGHT - BOTTOM - TOP;
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT,
        "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif' font-size='11'>",
        WIDTH, HEIGHT));
    s.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='%d' height='%d' fill='#fafafa' stroke='#ccc'/>",
        LEFT, TOP, plotW, plotH));
    double colW = (double) plotW / COLUMNS;
    for (int i = 0; i < COLUMNS; i++) {
      if (cols[i] == 0) {
        continue;
      }
      double h = Math.log10(cols[i] + 1.0) / maxLog * plotH;
      s.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='#4c78a8'/>",
          LEFT + i * colW, TOP + plotH - h, Math.max(colW - 0.2, 0.5), h));
    }
    int row = 0;
    for (Map.Entry<String, Float> e : t.amaxByAlgorithm().entrySet()) {
      boolean isChosen = e.getKey().equals(chosen);
      double x = LEFT + e.getValue() / xMax * plotW;
      s.append(String.format(Locale.ROOT,
          "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='%s' stroke-width='%s'%s/>", x, TOP, x, TOP + plotH,
          isChosen ? "#d62728" : "#999", isChosen ? "2.5" : "1", isChosen ? "" : " stroke-dasharray='4,3'"));
      s.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' fill='%s'%s>%s %.4g</text>", x + 3,
          TOP + 12 + 12 * row++, isChosen ? "#d62728" : "#666", isChosen ? " font-weight='bold'" : "",
          e.getKey(), e.getValue()));
    }
    s.append(String.format(Locale.ROOT, "<text x='%d' y='%d'>0</text><text x='%d' y='%d' text-anchor='end'>|x| = %.4g</text>",
        LEFT, HEIGHT - 12, WIDTH - 10, HEIGHT - 12, xMax));
    s.append(String.format(Locale.ROOT, "<text x='4' y='%d'>log10</text><text x='4' y='%d'>%.1f</text>",
        TOP + plotH / 2, TOP + 10, maxLog));
    s.append(String.format(Locale.ROOT, "<text x='%d' y='15' font-weight='bold'>%s</text>", LEFT, escape(t.tensor())));
    s.append("</svg>");
    return s.toString();
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;");
  }
}
