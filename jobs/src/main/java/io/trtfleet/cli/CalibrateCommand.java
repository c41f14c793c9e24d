package io.trtfleet.cli;

import io.trtfleet.Durations;
import io.trtfleet.TrtfleetException;
import io.trtfleet.quantize.CalibrationAlgorithm;
import io.trtfleet.quantize.CalibrationResult;
import io.trtfleet.quantize.PercentileCalibrator;
import io.trtfleet.quantize.TensorCalibration;
import io.trtfleet.spark.CalibrateJob;
import io.trtfleet.spark.CalibrateOptions;
import io.trtfleet.spark.CalibrationPreflight;
import io.trtfleet.spark.InputColumn;
import io.trtfleet.spark.Sparks;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trtfleet calibrate}: INT8 calibration on Spark from a Parquet calibration set. */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
    description = "Compute INT8 ranges from a Parquet calibration set on Spark and write"
        + " <out>/calibration/{calibration.cache, calibration.json, histograms.html}.")
public final class CalibrateCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(CalibrateCommand.class);

  @Mixin
  ModelOptions model;

  @Option(names = "--data", required = true, paramLabel = "URI", description = "Parquet calibration set (file://, s3a://, hdfs://)")
  String data;

  @Option(names = "--algorithm", defaultValue = "entropy", description = "entropy, minmax, percentile or mse (default: ${DEFAULT-VALUE})")
  String algorithm;

  @Option(names = "--percentile", defaultValue = "" + PercentileCalibrator.DEFAULT_PERCENTILE,
      description = "percentile for --algorithm percentile (default: ${DEFAULT-VALUE})")
  double percentile;

  @Option(names = "--samples", defaultValue = "0", description = "use this many samples (a deterministic subset); 0 = all")
  long samples;

  @Option(names = "--batch-size", defaultValue = "" + CalibrateOptions.DEFAULT_BATCH, description = "FP32 reference batch size (default: ${DEFAULT-VALUE})")
  int batchSize;

  @Option(names = "--out", defaultValue = "trtfleet-out", paramLabel = "DIR", description = "output directory (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(names = "--master", description = "Spark master (default: spark-submit's, else local[*])")
  String master;

  @Option(names = "--on-bad-rows", defaultValue = "fail", description = "fail or skip rows with NaN/Inf or wrong sizes (default: ${DEFAULT-VALUE})")
  String onBadRows;

  @Option(names = "--input-map", split = ",", paramLabel = "INPUT=COLUMN", description = "column for a signature input, when not named like it")
  Map<String, String> inputMap = new LinkedHashMap<>();

  @Option(names = "--calibration-device", defaultValue = "auto", paramLabel = "cpu|gpu|auto",
      description = "collector: cpu (TensorFlow), gpu (TensorRT FP32 + CUDA histogram kernels; tasks request a GPU),"
          + " auto = gpu when executors are offered the --gpu-resource (local mode: when this JVM has a GPU),"
          + " else cpu (default: ${DEFAULT-VALUE})")
  String calibrationDevice;

  @Option(names = "--samples-per-task", defaultValue = "" + CalibrateOptions.DEFAULT_SAMPLES_PER_TASK, paramLabel = "N",
      description = "split the calibration set into Spark tasks of about N samples, at least one per core"
          + " (default: ${DEFAULT-VALUE})")
  int samplesPerTask;

  @Option(names = "--gpu-resource", defaultValue = CalibrateOptions.DEFAULT_GPU_RESOURCE, paramLabel = "NAME",
      description = "Spark resource name of the GPUs that calibration tasks request (default: ${DEFAULT-VALUE})")
  String gpuResource;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    CalibrateOptions options = CalibrateOptions.builder(model.importOptions(), data, out)
        .algorithm(CalibrationAlgorithm.parse(algorithm))
        .percentile(percentile)
        .samples(samples)
        .batchSize(batchSize)
        .onBadRows(parseBadRows(onBadRows))
        .inputMap(inputMap)
        .device(CalibrateOptions.CalibrationDevice.parse(calibrationDevice))
        .gpuResource(gpuResource)
        .samplesPerTask(samplesPerTask)
        .build();
    OutputDirectory.check(out);
    // A set that cannot feed the model fails here, in about a second, not after Spark and TensorFlow started.
    long t0 = System.nanoTime();
    List<InputColumn> columns = CalibrationPreflight.check(options);
    LOG.info("calibrate: {} feeds signature '{}' ({}), checked in {}; starting Spark", data, model.signature,
        columns.stream().map(InputColumn::toString).collect(Collectors.joining(", ")), Durations.since(t0));
    long t1 = System.nanoTime();
    SparkSession spark = Sparks.session("trtfleet calibrate", master);
    LOG.info("calibrate: Spark {} started in {}", spark.sparkContext().master(), Durations.since(t1));
    try {
      CalibrationResult r = CalibrateJob.run(spark, options);
      PrintWriter o = spec.commandLine().getOut();
      o.printf("Calibrated %d tensors (%s) on %d samples of %s with the %s collector%n", r.tensors().size(),
          r.algorithm(), r.samples(), data, r.parameters().getOrDefault("calibration_device", "cpu"));
      o.printf("  %-40s %12s %12s%n", "tensor", "amax", "max |x|");
      for (TensorCalibration t : r.tensors()) {
        o.printf("  %-40s %12.5g %12.5g%s%n", t.tensor(), t.amax(), Math.max(Math.abs(t.min()), Math.abs(t.max())),
            t.allZero() ? "  (all zero: left unquantized)" : "");
      }
      o.println("Wrote " + out.resolve("calibration") + "/{calibration.cache, calibration.json, histograms.html}");
      o.flush();
      return 0;
    } finally {
      spark.stop();
    }
  }

  private static CalibrateOptions.BadRows parseBadRows(String s) {
    return switch (s.toLowerCase(java.util.Locale.ROOT)) {
      case "fail" -> CalibrateOptions.BadRows.FAIL;
      case "skip" -> CalibrateOptions.BadRows.SKIP;
      default -> throw new io.trtfleet.TrtfleetException("--on-bad-rows takes fail or skip, not '" + s + "'");
    };
  }
}
