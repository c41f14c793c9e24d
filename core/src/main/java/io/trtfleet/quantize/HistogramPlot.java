package io.trtfleet.quantize;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One tensor's |x| histogram as an inline SVG that reads on its own: counts on a log axis with labelled
 * decades (the tail that decides a threshold is visible), |x| on a linear axis with round ticks, the
 * chosen threshold as a thick red line labelled with its algorithm and value, and the other algorithms'
 * thresholds as dashed lines in the colours of {@link #color}. Every label stays inside the picture:
 * the tensor's name and the legend are HTML around it ({@link HistogramPage}), where long names wrap.
 */
final class HistogramPlot {

  static final int WIDTH = 760;
  static final int HEIGHT = 250;
  static final int LEFT = 64;
  static final int RIGHT = 20;
  static final int TOP = 14;
  static final int BOTTOM = 46;
  static final int FONT = 12;
  /** Display columns the bins are summed into (2048 bins would be thinner than a pixel). */
  private static final int COLUMNS = 240;
  static final String CHOSEN_COLOR = "#d62728";
  private static final String BAR_COLOR = "#4c78a8";

  private HistogramPlot() {}

  /** The dashed line colour of an algorithm that was not chosen. */
  static String color(String algorithm) {
    return switch (algorithm) {
      case "entropy" -> "#2ca02c";
      case "minmax" -> "#555555";
      case "percentile" -> "#9467bd";
      case "mse" -> "#ff7f0e";
      default -> "#8c564b";
    };
  }

  static String svg(TensorCalibration t, String chosen) {
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;
    long[] counts = t.counts();
    double dataMax = counts.length * t.binWidth();
    for (float a : t.amaxByAlgorithm().values()) {
      dataMax = Math.max(dataMax, a);
    }
    double[] xTicks = niceTicks(dataMax > 0 ? dataMax : 1);
    double xMax = xTicks[xTicks.length - 1];
    long[] cols = new long[COLUMNS];
    long maxCount = 0;
    for (int k = 0; k < counts.length; k++) {
      int col = (int) Math.min(COLUMNS - 1, (k + 0.5) * t.binWidth() / xMax * COLUMNS);
      cols[col] += counts[k];
    }
    for (long c : cols) {
      maxCount = Math.max(maxCount, c);
    }
    int decades = Math.max(1, (int) Math.ceil(Math.log10(Math.max(maxCount, 10))));
    int plotBottom = TOP + plotH;

    StringBuilder s = new StringBuilder();
    s.append(fmt("<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 %d %d' width='%d' height='%d'"
        + " font-family='sans-serif' font-size='%d' role='img'>", WIDTH, HEIGHT, WIDTH, HEIGHT, FONT));
    s.append("<title>").append(escape(t.tensor())).append(": |x| histogram, chosen ").append(escape(chosen))
        .append(fmt(" threshold %.4g</title>", t.amax()));
    s.append(fmt("<rect x='%d' y='%d' width='%d' height='%d' fill='#fcfcfc'/>", LEFT, TOP, plotW, plotH));

    // y: decades of the count, gridlines and labels 1, 10, 100, 1k, ...
    int step = decades > 8 ? 2 : 1;
    for (int d = 0; d <= decades; d += step) {
      double y = plotBottom - (double) d / decades * plotH;
      s.append(fmt("<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#e3e3e3'/>", LEFT, y, LEFT + plotW, y));
      s.append(fmt("<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#222'/>", LEFT - 5, y, LEFT, y));
      s.append(fmt("<text x='%d' y='%.1f' text-anchor='end' dominant-baseline='middle' fill='#222'>%s</text>",
          LEFT - 8, y, decadeLabel(d)));
    }
    s.append(fmt("<text transform='translate(14,%d) rotate(-90)' text-anchor='middle' fill='#222'>count (log)</text>",
        TOP + plotH / 2));

    // bars
    double colW = (double) plotW / COLUMNS;
    for (int i = 0; i < COLUMNS; i++) {
      if (cols[i] > 0) {
        double h = Math.max(1, Math.log10(cols[i]) / decades * plotH);
        s.append(fmt("<rect x='%.2f' y='%.2f' width='%.2f' height='%.2f' fill='%s'/>", LEFT + i * colW,
            plotBottom - h, Math.max(colW - 0.3, 0.5), h, BAR_COLOR));
      }
    }
    if (t.allZero()) {
      s.append(fmt("<text x='%d' y='%d' text-anchor='middle' fill='#222'>every value was 0: left unquantized</text>",
          LEFT + plotW / 2, TOP + plotH / 2));
    }

    // x: round ticks of |x|
    for (double v : xTicks) {
      double x = LEFT + v / xMax * plotW;
      s.append(fmt("<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#222'/>", x, plotBottom, x, plotBottom + 5));
      s.append(fmt("<text x='%.1f' y='%d' text-anchor='middle' fill='#222'>%s</text>", x, plotBottom + 18,
          tickLabel(v)));
    }
    s.append(fmt("<text x='%d' y='%d' text-anchor='middle' fill='#222'>|x| (absolute activation value)</text>",
        LEFT + plotW / 2, HEIGHT - 6));

    // axes over the bars
    s.append(fmt("<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#222' stroke-width='1.5'/>", LEFT, TOP, LEFT, plotBottom));
    s.append(fmt("<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#222' stroke-width='1.5'/>", LEFT, plotBottom,
        LEFT + plotW, plotBottom));

    // thresholds: the others dashed, the chosen one last (on top) and labelled inside the plot
    for (Map.Entry<String, Float> e : t.amaxByAlgorithm().entrySet()) {
      if (!e.getKey().equals(chosen)) {
        double x = LEFT + e.getValue() / xMax * plotW;
        s.append(fmt("<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='%s' stroke-width='1.5' stroke-dasharray='5,4'>"
            + "<title>%s %.4g</title></line>", x, TOP, x, plotBottom, color(e.getKey()), escape(e.getKey()),
            e.getValue()));
      }
    }
    if (!t.allZero()) {
      double x = LEFT + t.amax() / xMax * plotW;
      String label = fmt("%s threshold %.4g", chosen, t.amax());
      // No room to the right of the line: end the label just left of it (the width estimate errs wide).
      boolean left = x + 6 + textWidth(label) > LEFT + plotW;
      s.append(fmt("<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='%s' stroke-width='3'/>", x, TOP, x, plotBottom,
          CHOSEN_COLOR));
      s.append(fmt("<text x='%.1f' y='%d' text-anchor='%s' fill='%s' font-weight='bold' stroke='white'"
          + " stroke-width='4' paint-order='stroke'>%s</text>", left ? x - 6 : x + 6, TOP + FONT + 4,
          left ? "end" : "start", CHOSEN_COLOR, escape(label)));
    }
    return s.append("</svg>").toString();
  }

  /** Ticks 0, step, 2 step, ... up to the first at or above {@code max}, with a step of 1, 2, 2.5 or 5 x 10^k. */
  static double[] niceTicks(double max) {
    double raw = max / 5;
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    double step = magnitude * 10;
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * magnitude >= raw) {
        step = m * magnitude;
        break;
      }
    }
    List<Double> ticks = new ArrayList<>();
    for (int i = 0; ; i++) {
      double v = i * step;
      ticks.add(v);
      if (v >= max * (1 - 1e-9)) {
        break;
      }
    }
    return ticks.stream().mapToDouble(Double::doubleValue).toArray();
  }

  static String decadeLabel(int decade) {
    String[] suffix = {"", "k", "M", "G", "T", "P"};
    int group = Math.min(decade / 3, suffix.length - 1);
    return (long) Math.pow(10, decade - 3 * group) + suffix[group];
  }

  private static String tickLabel(double v) {
    String s = fmt("%.4g", v);
    if (s.contains(".") && !s.contains("e")) {
      s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return s;
  }

  /** Width of {@code s} in the plot's font, on the safe side (bold sans-serif averages about 0.6 em). */
  static double textWidth(String s) {
    return s.length() * FONT * 0.66;
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;");
  }
}
