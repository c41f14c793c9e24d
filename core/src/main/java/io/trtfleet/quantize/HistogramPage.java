package io.trtfleet.quantize;

import java.util.List;
import java.util.Locale;

/**
 * {@code histograms.html}: which algorithm chose the thresholds and from what data, a table of every
 * tensor's threshold under each algorithm, then one {@link HistogramPlot} per tensor under its full name
 * (names wrap rather than clip) and a legend of the threshold lines.
 */
final class HistogramPage {

  private static final String STYLE = "body{font-family:sans-serif;margin:24px auto;max-width:840px;color:#222;"
      + "line-height:1.4}h1{font-size:22px;margin:0 0 8px}h2{font-size:15px;margin:28px 0 4px;font-family:monospace;"
      + "overflow-wrap:anywhere}table{border-collapse:collapse;font-size:13px;margin:12px 0}"
      + "td,th{padding:3px 10px;border-bottom:1px solid #e6e6e6;text-align:right}"
      + "td:first-child,th:first-child{text-align:left;font-family:monospace;overflow-wrap:anywhere;max-width:320px}"
      + "th{border-bottom:2px solid #222}.chosen{font-weight:bold;color:" + HistogramPlot.CHOSEN_COLOR + "}"
      + ".legend{font-size:13px;margin:2px 0 6px}.legend span{display:inline-block;margin-right:16px;white-space:nowrap}"
      + ".swatch{display:inline-block;width:22px;height:0;vertical-align:middle;margin-right:5px}"
      + "svg{max-width:100%;height:auto}.note{color:#555;font-size:13px}";

  private HistogramPage() {}

  /** One line on what an algorithm does, for readers who did not choose it. */
  static String describe(String algorithm) {
    return switch (algorithm) {
      case "entropy" -> "the threshold whose INT8 distribution is closest (KL divergence) to the FP32 one,"
          + " as TensorRT's EntropyCalibration2";
      case "minmax" -> "the largest |x| seen: nothing clips, small values get coarse steps";
      case "percentile" -> "a high percentile of |x|: the rarest outliers clip";
      case "mse" -> "the threshold with the least mean squared quantization error";
      default -> "";
    };
  }

  static String html(CalibrationResult r) {
    String chosen = r.algorithm();
    List<String> algorithms = r.tensors().isEmpty() ? List.of()
        : r.tensors().get(0).amaxByAlgorithm().keySet().stream().sorted().toList();
    StringBuilder s = new StringBuilder("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>INT8 calibration: ")
        .append(esc(chosen)).append(", ").append(r.tensors().size()).append(" tensors</title><style>").append(STYLE)
        .append("</style></head><body>");
    s.append("<h1>INT8 calibration: <span class='chosen'>").append(esc(chosen)).append("</span></h1>");
    s.append("<p>Algorithm <b>").append(esc(chosen)).append("</b> (").append(esc(describe(chosen)))
        .append(") chose the threshold (amax) of ").append(r.tensors().size()).append(" tensors from ")
        .append(String.format(Locale.ROOT, "%,d", r.samples())).append(" samples of <code>").append(esc(r.datasetUri()))
        .append("</code> (sha256 ").append(esc(r.datasetDigest().substring(0, Math.min(12, r.datasetDigest().length()))))
        .append("). Values beyond a tensor's threshold saturate at &plusmn;127; scale = amax / 127.</p>");
    s.append("<p class='note'>Each plot: bars are the histogram of |x| with counts on a log axis; the thick red line is"
        + " the chosen threshold, dashed lines what the other algorithms would have chosen.</p>");

    s.append("<table><tr><th>tensor</th><th class='chosen'>").append(esc(chosen)).append(" (chosen)</th><th>scale</th>");
    algorithms.stream().filter(a -> !a.equals(chosen)).forEach(a -> s.append("<th>").append(esc(a)).append("</th>"));
    s.append("<th>max |x|</th></tr>");
    for (TensorCalibration t : r.tensors()) {
      s.append("<tr><td><a href='#").append(anchor(t.tensor())).append("'>").append(esc(t.tensor())).append("</a>")
          .append(t.allZero() ? " (all zero)" : "").append("</td>")
          .append(String.format(Locale.ROOT, "<td class='chosen'>%.5g</td><td>%.5g</td>", t.amax(), t.scale()));
      algorithms.stream().filter(a -> !a.equals(chosen))
          .forEach(a -> s.append(String.format(Locale.ROOT, "<td>%.5g</td>", t.amaxByAlgorithm().get(a))));
      s.append(String.format(Locale.ROOT, "<td>%.5g</td></tr>", Math.max(Math.abs(t.min()), Math.abs(t.max()))));
    }
    s.append("</table>");

    for (TensorCalibration t : r.tensors()) {
      s.append("<section id='").append(anchor(t.tensor())).append("'><h2>").append(esc(t.tensor())).append("</h2>");
      s.append("<div class='legend'><span class='chosen'><span class='swatch' style='border-top:3px solid ")
          .append(HistogramPlot.CHOSEN_COLOR).append("'></span>").append(esc(chosen))
          .append(String.format(Locale.ROOT, " (chosen) %.4g</span>", t.amax()));
      t.amaxByAlgorithm().entrySet().stream().filter(e -> !e.getKey().equals(chosen))
          .sorted(java.util.Map.Entry.comparingByKey())
          .forEach(e -> s.append("<span><span class='swatch' style='border-top:2px dashed ")
              .append(HistogramPlot.color(e.getKey())).append("'></span>").append(esc(e.getKey()))
              .append(String.format(Locale.ROOT, " %.4g</span>", e.getValue())));
      s.append("</div>").append(HistogramPlot.svg(t, chosen)).append("</section>");
    }
    return s.append("</body></html>\n").toString();
  }

  private static String esc(String s) {
    return HistogramPlot.escape(s);
  }

  private static String anchor(String tensor) {
    return "t-" + tensor.replaceAll("[^A-Za-z0-9_-]", "_");
  }
}
