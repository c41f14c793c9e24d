package io.trtfleet.report;

import java.util.stream.Collectors;

/**
 * The nodes left to TensorFlow, per op type and reason: a CSV ({@code op_type,count,reason,nodes}, node
 * names separated by {@code ;}) like TF-TRT's {@code TF_TRT_SHOW_DETAILED_REPORT} file, and a text form.
 */
public final class NonConversionReport {

  public static final String CSV_HEADER = "op_type,count,reason,nodes";

  private NonConversionReport() {}

  public static String csv(ConversionReport r) {
    StringBuilder out = new StringBuilder(CSV_HEADER).append('\n');
    for (ConversionReport.NotConverted g : r.notConverted()) {
      out.append(field(g.opType())).append(',').append(g.count()).append(',').append(field(g.reason()))
          .append(',').append(field(String.join(";", g.nodes()))).append('\n');
    }
    return out.toString();
  }

  public static String text(ConversionReport r) {
    int nodes = r.notConverted().stream().mapToInt(ConversionReport.NotConverted::count).sum();
    long types = r.notConverted().stream().map(ConversionReport.NotConverted::opType).distinct().count();
    StringBuilder out = new StringBuilder();
    out.append(String.format(java.util.Locale.ROOT,
        "%d nodes of %d op types are not converted to TensorRT:%n", nodes, types));
    String op = null;
    for (ConversionReport.NotConverted g : r.notConverted()) {
      if (!g.opType().equals(op)) {
        op = g.opType();
        String current = op;
        int count = r.notConverted().stream().filter(x -> x.opType().equals(current))
            .mapToInt(ConversionReport.NotConverted::count).sum();
        out.append("- ").append(op).append(": ").append(count).append("x\n");
      }
      out.append("    - [").append(g.count()).append("x] ").append(g.reason()).append(": ")
          .append(g.nodes().stream().limit(5).collect(Collectors.joining(", ")))
          .append(g.count() > 5 ? ", ... (" + (g.count() - 5) + " more)" : "").append('\n');
    }
    return out.toString();
  }

  /** RFC 4180: quote fields with commas, quotes or line breaks; double the quotes. */
  static String field(String s) {
    if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
      return "\"" + s.replace("\"", "\"\"") + "\"";
    }
    return s;
  }
}
