package io.trtfleet.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Data checks of a calibration set in one pass over its rows on the executors: rows with the wrong
 * element count, rows holding NaN/Inf, and per-column min/max/mean/std of the finite values, plus the
 * class balance when a {@code label} column exists. Plain Java per row: Spark SQL's higher-order
 * functions over the arrays were interpreted, several times slower.
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
    StructType schema = data.schema();
    int[] fields = inputs.stream().mapToInt(c -> schema.fieldIndex(c.column())).toArray();
    List<InputColumn> columns = List.copyOf(inputs);
    List<ColumnStats> merged = data.javaRDD().mapPartitions(rows -> {
      List<ColumnStats> stats = new ArrayList<>();
      columns.forEach(c -> stats.add(new ColumnStats()));
      while (rows.hasNext()) {
        Row r = rows.next();
        for (int i = 0; i < fields.length; i++) {
          stats.get(i).add(r, fields[i], columns.get(i));
        }
      }
      return List.of(stats).iterator();
    }).fold(emptyStats(columns.size()), CalibrationDataCheck::merge);
    List<ColumnReport> reports = new ArrayList<>();
    long rows = 0;
    for (int i = 0; i < inputs.size(); i++) {
      ColumnStats c = merged.get(i);
      rows = c.rows;
      double mean = c.n == 0 ? Double.NaN : c.sum / c.n;
      reports.add(new ColumnReport(inputs.get(i).column(), c.rows, c.wrongSize, c.nonFinite,
          c.n == 0 ? Double.NaN : c.min, c.n == 0 ? Double.NaN : c.max, mean,
          c.n == 0 ? Double.NaN : Math.sqrt(Math.max(0, c.sum2 / c.n - mean * mean))));
    }
    if (inputs.isEmpty()) {
      rows = data.count();
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

  private static List<ColumnStats> emptyStats(int n) {
    List<ColumnStats> stats = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      stats.add(new ColumnStats());
    }
    return stats;
  }

  private static List<ColumnStats> merge(List<ColumnStats> a, List<ColumnStats> b) {
    List<ColumnStats> out = emptyStats(a.size());
    for (int i = 0; i < a.size(); i++) {
      out.get(i).merge(a.get(i)).merge(b.get(i));
    }
    return out;
  }

  /** One column's counts over some rows. */
  static final class ColumnStats implements Serializable {
    private static final long serialVersionUID = 1L;
    long rows;
    long wrongSize;
    long nonFinite;
    long n;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double sum;
    double sum2;

    void add(Row r, int field, InputColumn c) {
      rows++;
      if (r.isNullAt(field)) {
        wrongSize++;
        return;
      }
      if (c.kind() == InputColumn.Kind.BINARY) {
        if (((byte[]) r.get(field)).length != c.bytesPerSample()) {
          wrongSize++;
        }
        return;
      }
      List<Object> values = r.getList(field);
      if (values.size() != c.elementsPerSample()) {
        wrongSize++;
      }
      boolean bad = false;
      for (Object v : values) {
        double x = v == null ? Double.NaN : ((Number) v).doubleValue();
        if (!Double.isFinite(x)) {
          bad = true;
          continue;
        }
        n++;
        min = Math.min(min, x);
        max = Math.max(max, x);
        sum += x;
        sum2 += x * x;
      }
      if (bad) {
        nonFinite++;
      }
    }

    ColumnStats merge(ColumnStats o) {
      rows += o.rows;
      wrongSize += o.wrongSize;
      nonFinite += o.nonFinite;
      n += o.n;
      min = Math.min(min, o.min);
      max = Math.max(max, o.max);
      sum += o.sum;
      sum2 += o.sum2;
      return this;
    }
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
