package io.trtfleet.cli;

import io.trtfleet.TrtfleetException;
import io.trtfleet.graph.Signature;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelReader;
import io.trtfleet.spark.CalibrationDataCheck;
import io.trtfleet.spark.CalibrationDataValidation;
import io.trtfleet.spark.InputColumn;
import io.trtfleet.spark.Sparks;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.tensorflow.proto.MetaGraphDef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trtfleet calibration-data validate}: a calibration set against a model's signature. Prints a
 * table (rows, bad rows, min/max/mean/std per input column, class balance, splits); warnings go to
 * stderr; anything that makes the set unusable ends in one {@code error:} line and exit code 2.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Check a Parquet calibration set against a SavedModel signature: schema, element counts,"
        + " NaN/Inf, per-column min/max/mean/std, class balance. Exit 0 when usable, 2 when not.")
public final class CalibrationDataValidateCommand implements Callable<Integer> {

  @Mixin
  ModelOptions model;

  @Option(names = "--data", required = true, paramLabel = "URI", description = "Parquet calibration set (file://, s3a://, hdfs://)")
  String data;

  @Option(names = "--input-map", split = ",", paramLabel = "INPUT=COLUMN", description = "column for a signature input, when not named like it")
  Map<String, String> inputMap = new LinkedHashMap<>();

  @Option(names = "--min-samples", defaultValue = "" + CalibrationDataValidation.DEFAULT_MIN_SAMPLES, paramLabel = "N",
      description = "warn below this many samples (default: ${DEFAULT-VALUE})")
  long minSamples;

  @Option(names = "--strict", description = "fail on warnings too (few samples, under-represented classes)")
  boolean strict;

  @Option(names = "--master", description = "Spark master (default: spark-submit's, else local[*])")
  String master;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    ImportOptions options = model.importOptions();
    MetaGraphDef metaGraph = SavedModelReader.metaGraph(SavedModelReader.read(options.modelDir()), options.modelDir(),
        options.tags());
    Signature signature = SavedModelReader.signature(metaGraph, options.modelDir(), options.signatureKey());
    // A session that already runs (tests, notebooks) is used and left running.
    boolean ownSession = SparkSession.getDefaultSession().isEmpty();
    SparkSession spark = Sparks.session("trtfleet calibration-data validate", master);
    CalibrationDataValidation.Result r;
    try {
      r = CalibrationDataValidation.run(spark, signature, data, inputMap, minSamples);
    } finally {
      if (ownSession) {
        spark.stop();
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    print(r, options, out);
    out.flush();
    PrintWriter err = spec.commandLine().getErr();
    for (String w : r.warnings()) {
      err.println("warning: " + w);
    }
    err.flush();
    List<String> failures = strict ? concat(r.problems(), r.warnings()) : r.problems();
    if (!failures.isEmpty()) {
      throw new TrtfleetException(data + " is not a usable calibration set for " + options.modelDir() + ": "
          + String.join("; ", failures) + (r.problems().isEmpty() ? " (--strict)" : ""));
    }
    return 0;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  static void print(CalibrationDataValidation.Result r, ImportOptions model, PrintWriter out) {
    CalibrationDataCheck.Report report = r.report();
    out.printf("Calibration data %s: %d rows%n", r.dataUri(), report.rows());
    out.printf("Model %s, signature %s%n", model.modelDir(), r.signature().key());
    out.printf("%n  %-12s %-12s %-8s %-7s %-14s %8s %9s %10s %8s %10s %10s %10s %10s%n", "input", "column", "storage",
        "dtype", "sample shape", "rows", "bad rows", "wrong size", "NaN/Inf", "min", "max", "mean", "std");
    for (int i = 0; i < r.inputs().size(); i++) {
      InputColumn c = r.inputs().get(i);
      CalibrationDataCheck.ColumnReport cr = report.columns().get(i);
      boolean binary = c.kind() == InputColumn.Kind.BINARY;
      out.printf("  %-12s %-12s %-8s %-7s %-14s %8d %9d %10d %8s %10s %10s %10s %10s%n", c.inputKey(), c.column(),
          c.kind().name().toLowerCase(java.util.Locale.ROOT), TensorSpec.dtypeName(c.dtype()),
          TensorSpec.shapeString(c.sampleShape()), cr.rows(), cr.badRows(), cr.wrongSize(),
          binary ? "-" : String.valueOf(cr.nonFinite()), stat(cr.min()), stat(cr.max()), stat(cr.mean()), stat(cr.std()));
    }
    if (!report.labels().isEmpty()) {
      out.printf("%nClass balance (label, %d classes):%n", report.labels().size());
      out.printf("  %-10s %8s %7s%n", "label", "rows", "share");
      report.labels().forEach((label, n) -> out.printf("  %-10s %8d %6.1f%%%n", label, n,
          report.rows() == 0 ? 0 : 100.0 * n / report.rows()));
    } else {
      out.printf("%nNo label column: class balance not checked%n");
    }
    if (!r.splits().isEmpty()) {
      StringBuilder s = new StringBuilder();
      r.splits().forEach((k, v) -> s.append(s.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
      out.printf("Splits: %s%n", s);
    }
    out.printf("%n%s%n", r.ok() ? "OK: schema matches signature " + r.signature().key() + ", "
        + report.rows() + " rows, no bad rows" : "NOT USABLE: " + r.problems().size() + " problem(s)");
  }

  private static String stat(double v) {
    return Double.isNaN(v) ? "-" : String.format("%.4g", v);
  }
}
