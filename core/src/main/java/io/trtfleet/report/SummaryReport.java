package io.trtfleet.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The conversion summary in the layout of TF-TRT's {@code TrtGraphConverterV2.summary()}: a row per
 * engine, its op types ({@code - Conv2D: 2x}), then the number of engines and the share of ops
 * converted.
 */
public final class SummaryReport {

  static final String[] HEADERS = {"TRTEngineOP Name", "# Nodes", "# Inputs", "# Outputs", "Input DTypes",
      "Output DTypes", "Input Shapes", "Output Shapes"};

  private SummaryReport() {}

  public static String text(ConversionReport r) {
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADERS);
    for (ConversionReport.Engine e : r.engines()) {
      rows.add(new String[] {e.name(), String.valueOf(e.ownedNodes()), String.valueOf(e.inputs().size()),
          String.valueOf(e.outputs().size()), ConversionReport.dtypes(e.inputs()),
          ConversionReport.dtypes(e.outputs()), ConversionReport.shapes(e.inputs()),
          ConversionReport.shapes(e.outputs())});
    }
    int[] width = new int[HEADERS.length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    int line = java.util.Arrays.stream(width).sum() + 2 * (width.length - 1);
    StringBuilder out = new StringBuilder();
    out.append(row(HEADERS, width)).append('\n').append("=".repeat(line)).append('\n');
    for (int i = 0; i < r.engines().size(); i++) {
      ConversionReport.Engine e = r.engines().get(i);
      if (i > 0) {
        out.append('\n').append("-".repeat(40)).append("\n\n");
      }
      out.append(row(rows.get(i + 1), width)).append("\n\n");
      e.opCounts().forEach((op, n) -> out.append("\t- ").append(op).append(": ").append(n).append("x\n"));
      if (!e.copiedConstants().isEmpty()) {
        out.append("\t(+ ").append(e.copiedConstants().size())
            .append(" Const copied in, also used by TensorFlow ops)\n");
      }
    }
    out.append('\n').append("=".repeat(line)).append('\n');
    out.append("Total number of TensorRT engines: ").append(r.engines().size()).append('\n');
    out.append(String.format(Locale.ROOT, "%% of OPs Converted: %.2f%% [%d/%d]%n", r.percentConverted(),
        r.opsConverted(), r.opsTotal()));
    out.append(String.format(Locale.ROOT, "%% of convertible OPs Converted: %.2f%% [%d/%d]"
        + " (signature input and output nodes excluded)%n", r.percentOfConvertibleConverted(), r.opsConverted(),
        r.opsConvertible()));
    return out.toString();
  }

  private static String row(String[] fields, int[] width) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < fields.length; i++) {
      b.append(i == fields.length - 1 ? fields[i] : pad(fields[i], width[i] + 2));
    }
    return b.toString();
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(Math.max(0, width - s.length()));
  }
}
