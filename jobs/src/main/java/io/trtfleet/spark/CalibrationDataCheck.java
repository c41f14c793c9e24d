package io.trtfleet.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.sum;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Data checks of a calibration set in one Spark SQL pass per column, on the columnar data (no
 * decoding): rows with the wrong element count, rows holding NaN/Inf, and per-column min/max/mean/std,
 * plus the class balance when a {@code label} column exists.
 */
public final class CalibrationDataCheck {

  /** Per-column findings. */
  public record ColumnReport(String column, long rows, long wrongSize, long nonFinite, double min, double max,
      double mean, double std) {
    public long badRows() {
      return wrongSize + nonFinite;
    }
  }

  public record Report(long rows, List<ColumnReport> columns, Map<String, Long> labels) {}

  private CalibrationDataCheck() {}

  public static Report run(Dataset<Row> data, List<InputColumn> inputs) {
    List<Column> aggs = new ArrayList<>();
    aggs.add(expr("count(1)").as("rows"));
    for (InputColumn c : inputs) {
      String q = "`" + c.column() + "`";
      if (c.kind() == InputColumn.Kind.BINARY) {
        aggs.add(sum(expr("CASE WHEN " + q + " IS NULL OR length(" + q + ") != " + c.bytesPerSample() + " THEN 1 ELSE 0 END")));
        aggs.add(expr("0L"));
        aggs.add(expr("CAST(NULL AS DOUBLE)"));
        aggs.add(expr("CAST(NULL AS DOUBLE)"));
        aggs.add(expr("CAST(NULL AS DOUBLE)"));
        aggs.add(expr("CAST(NULL AS DOUBLE)"));
        aggs.add(expr("CAST(NULL AS DOUBLE)"));
        continue;
      }
      aggs.add(sum(expr("CASE WHEN " + q + " IS NULL OR size(" + q + ") != " + c.elementsPerSample() + " THEN 1 ELSE 0 END")));
      aggs.add(sum(expr("CASE WHEN exists(" + q + ", x -> x IS NULL OR isnan(x) OR abs(CAST(x AS DOUBLE)) = double('Infinity'))"
          + " THEN 1 ELSE 0 END")));
      String finite = "filter(" + q + ", x -> x IS NOT NULL AND NOT isnan(x) AND abs(CAST(x AS DOUBLE)) != double('Infinity'))";
      aggs.add(expr("min(array_min(" + finite + "))"));
      aggs.add(expr("max(array_max(" + finite + "))"));
      aggs.add(expr("sum(aggregate(" + finite + ", 0D, (a, x) -> a + x))"));
      aggs.add(expr("sum(aggregate(" + finite + ", 0D, (a, x) -> a + CAST(x AS DOUBLE) * x))"));
      aggs.add(expr("sum(size(" + finite + "))"));
    }
    Row r = data.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).first();
    long rows = r.getLong(0);
    List<ColumnReport> reports = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      int base = 1 + i * 7;
      long wrongSize = r.isNullAt(base) ? 0 : r.getLong(base);
      long nonFinite = r.isNullAt(base + 1) ? 0 : ((Number) r.get(base + 1)).longValue();
      double n = r.isNullAt(base + 6) ? 0 : ((Number) r.get(base + 6)).doubleValue();
      double s = n == 0 ? 0 : ((Number) r.get(base + 4)).doubleValue();
      double s2 = n == 0 ? 0 : ((Number) r.get(base + 5)).doubleValue();
      double mean = n == 0 ? Double.NaN : s / n;
      reports.add(new ColumnReport(inputs.get(i).column(), rows, wrongSize, nonFinite,
          r.isNullAt(base + 2) ? Double.NaN : ((Number) r.get(base + 2)).doubleValue(),
          r.isNullAt(base + 3) ? Double.NaN : ((Number) r.get(base + 3)).doubleValue(),
          mean, n == 0 ? Double.NaN : Math.sqrt(Math.max(0, s2 / n - mean * mean))));
    }
    Map<String, Long> labels = new LinkedHashMap<>();
    if (Arrays.asList(data.columns()).contains(CalibrationSchema.LABEL)) {
      Map<String, Long> sorted = new TreeMap<>();
      for (Row l : data.groupBy(col(CalibrationSchema.LABEL)).count().collectAsList()) {
        sorted.put(String.valueOf(l.get(0)), l.getLong(1));
      }
      labels.putAll(sorted);
    }
    return new Report(rows, reports, labels);
  }

  /** A filter keeping rows whose input columns are well formed (for --on-bad-rows skip). */
  public static Column goodRows(List<InputColumn> inputs) {
    Column keep = expr("true");
    for (InputColumn c : inputs) {
      String q = "`" + c.column() + "`";
      keep = keep.and(c.kind() == InputColumn.Kind.BINARY
          ? expr(q + " IS NOT NULL AND length(" + q + ") = " + c.bytesPerSample())
          : expr(q + " IS NOT NULL AND size(" + q + ") = " + c.elementsPerSample() + " AND NOT exists(" + q
              + ", x -> x IS NULL OR isnan(x) OR abs(CAST(x AS DOUBLE)) = double('Infinity'))"));
    }
    return keep;
  }
}
