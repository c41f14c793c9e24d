package io.trtfleet.spark;

import static org.apache.spark.sql.functions.col;

import io.trtfleet.TrtfleetException;
import io.trtfleet.graph.Signature;
import io.trtfleet.graph.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.tensorflow.proto.DataType;

/**
 * Checks a Parquet calibration set against a signature without running the model: the schema
 * ({@link CalibrationSchema#match}, plus no fractional values for integer inputs), then one Spark SQL
 * pass of {@link CalibrationDataCheck} (element counts, NaN/Inf, min/max/mean/std, class balance) and
 * the rows per split. Schema mismatches and unreadable data throw {@link TrtfleetException} at once;
 * data findings come back in the {@link Result}, as problems (the set must not be used) and warnings
 * (it can be, with care). The caller decides what to do with them.
 */
public final class CalibrationDataValidation {

  /** Fewer samples than this give noisy thresholds (the calibrate job warns too). */
  public static final long DEFAULT_MIN_SAMPLES = CalibrateOptions.FEW_SAMPLES;
  /** A class with less than this fraction of the mean class size counts as under-represented. */
  static final double UNDER_REPRESENTED = 0.5;

  /** The findings. */
  public record Result(String dataUri, Signature signature, List<InputColumn> inputs,
      CalibrationDataCheck.Report report, Map<String, Long> splits, List<String> problems, List<String> warnings) {

    public Result {
      inputs = List.copyOf(inputs);
      splits = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(splits));
      problems = List.copyOf(problems);
      warnings = List.copyOf(warnings);
    }

    public boolean ok() {
      return problems.isEmpty();
    }
  }

  private CalibrationDataValidation() {}

  public static Result run(SparkSession spark, Signature signature, String dataUri, Map<String, String> inputMap,
      long minSamples) {
    Dataset<Row> data = ParquetSets.read(spark, dataUri, "calibration data");
    List<InputColumn> inputs = CalibrationSchema.match(data.schema(), signature, inputMap, dataUri);
    for (InputColumn c : inputs) {
      checkElementType(data.schema().apply(c.column()), c, dataUri);
    }
    CalibrationDataCheck.Report report;
    Map<String, Long> splits = new LinkedHashMap<>();
    try {
      report = CalibrationDataCheck.run(data, inputs);
      if (Arrays.asList(data.columns()).contains(CalibrationSchema.SPLIT)) {
        Map<String, Long> sorted = new TreeMap<>();
        for (Row r : data.groupBy(col(CalibrationSchema.SPLIT)).count().collectAsList()) {
          sorted.put(String.valueOf(r.get(0)), r.getLong(1));
        }
        splits.putAll(sorted);
      }
    } catch (Exception e) {  // SparkException (checked, thrown from Scala) from a corrupt or foreign file
      throw ParquetErrors.readFailure("calibration data", dataUri, e);
    }

    List<String> problems = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    if (report.rows() == 0) {
      problems.add("calibration data " + dataUri + " has no rows: calibrate on a few thousand representative samples");
    } else if (report.rows() < minSamples) {
      warnings.add("only " + report.rows() + " samples in " + dataUri + ": thresholds from fewer than " + minSamples
          + " samples are noisy; use a few thousand");
    }
    for (int i = 0; i < inputs.size(); i++) {
      InputColumn c = inputs.get(i);
      CalibrationDataCheck.ColumnReport r = report.columns().get(i);
      if (r.wrongSize() > 0) {
        problems.add("column '" + c.column() + "': " + r.wrongSize() + " of " + r.rows() + " rows are null or do not hold "
            + (c.kind() == InputColumn.Kind.BINARY ? c.bytesPerSample() + " bytes" : c.elementsPerSample() + " elements")
            + " (shape " + TensorSpec.shapeString(c.sampleShape()) + ")");
      }
      if (r.nonFinite() > 0) {
        problems.add("column '" + c.column() + "': " + r.nonFinite() + " of " + r.rows() + " rows hold NaN/Inf");
      }
    }
    if (report.labels().size() > 1) {
      double mean = (double) report.rows() / report.labels().size();
      List<String> few = new ArrayList<>();
      report.labels().forEach((label, n) -> {
        if (n < UNDER_REPRESENTED * mean) {
          few.add(label + " (" + n + ")");
        }
      });
      if (!few.isEmpty()) {
        warnings.add("under-represented classes in " + dataUri + ": " + String.join(", ", few) + " of "
            + report.labels().size() + " classes averaging " + Math.round(mean) + " rows; consider --stratify-by label");
      }
    }
    return new Result(dataUri, signature, inputs, report, splits, problems, warnings);
  }

  /** Fractional values would be truncated when fed to an integer input: a wrong dtype. */
  private static void checkElementType(StructField field, InputColumn c, String dataUri) {
    if (c.kind() != InputColumn.Kind.ARRAY || !(field.dataType() instanceof ArrayType array)) {
      return;
    }
    boolean floating = array.elementType().equals(DataTypes.FloatType) || array.elementType().equals(DataTypes.DoubleType);
    if (floating && (c.dtype() == DataType.DT_INT32 || c.dtype() == DataType.DT_INT64)) {
      throw new TrtfleetException("column '" + c.column() + "' of " + dataUri + " is " + field.dataType().simpleString()
          + " but input '" + c.inputKey() + "' is " + TensorSpec.dtypeName(c.dtype())
          + ": store integer inputs as array<int> or array<bigint>");
    }
  }

}
