package io.trtfleet.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.xxhash64;

import io.trtfleet.FileTrees;
import io.trtfleet.TrtfleetException;
import io.trtfleet.calibrate.ActivationCollector;
import io.trtfleet.calibrate.GpuActivationCollector;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.quantize.AbsHistogram;
import io.trtfleet.quantize.CalibrationAlgorithm;
import io.trtfleet.quantize.CalibrationCollector;
import io.trtfleet.quantize.CalibrationResult;
import io.trtfleet.quantize.CalibrationWriter;
import io.trtfleet.quantize.Calibrator;
import io.trtfleet.quantize.HistogramSet;
import io.trtfleet.quantize.QuantizationTargets;
import io.trtfleet.quantize.ThresholdSelector;
import io.trtfleet.tensorrt.TensorRt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.resource.ExecutorResourceRequests;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.ResourceProfileBuilder;
import org.apache.spark.resource.TaskResourceRequests;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * INT8 calibration on Spark. Executors run the FP32 reference on batches of their partition and count
 * the activations of the tensors to be quantized into histograms; the driver merges them
 * (treeReduce) and computes thresholds. Two passes: the first fixes each tensor's bin width from the
 * max |x| of a content-selected subset of rows, so the merged histograms are exact sums, bit-identical
 * whatever the partitioning or row order; activations never leave the executors.
 */
public final class CalibrateJob {

  private static final Logger LOG = LoggerFactory.getLogger(CalibrateJob.class);
  /** Up to this many rows, the range pass reads them all; above, a 1/8 subset chosen by content hash. */
  static final long FULL_RANGE_PASS_ROWS = 8192;

  private CalibrateJob() {}

  /** Runs the calibration and writes {@code <out>/calibration/}; nothing is written on failure. */
  public static CalibrationResult run(SparkSession spark, CalibrateOptions o) {
    long t0 = System.nanoTime();
    FrozenGraph graph = SavedModelImporter.importModel(o.model()).graph();
    List<String> tensors = QuantizationTargets.of(graph);
    if (tensors.isEmpty()) {
      throw new TrtfleetException("signature '" + graph.signature().key() + "' of " + o.model().modelDir()
          + " has no convolution or matrix multiply to quantize: INT8 calibration has nothing to do");
    }
    Dataset<Row> data = read(spark, o.dataUri());
    List<InputColumn> inputs = CalibrationSchema.match(data.schema(), graph.signature(), o.inputMap(), o.dataUri());
    data = data.select(inputs.stream().map(c -> col("`" + c.column() + "`")).toArray(Column[]::new));
    long rows;
    try {  // the first passes over the files: a damaged or foreign file fails here, named in one line
      data = dropBadRows(data, inputs, o);
      if (o.samples() > 0) {
        // A deterministic subset: the same rows whatever the file layout or partitioning.
        data = data.orderBy(xxhash64(data.columns().length == 1 ? new Column[] {col("`" + data.columns()[0] + "`")}
            : java.util.Arrays.stream(data.columns()).map(c -> col("`" + c + "`")).toArray(Column[]::new)))
            .limit((int) Math.min(Integer.MAX_VALUE, o.samples()));
      }
      rows = data.count();
    } catch (Exception e) {  // SparkException is checked, thrown from Scala
      throw ParquetErrors.readFailure("calibration data", o.dataUri(), e);
    }
    if (rows == 0) {
      throw new TrtfleetException("calibration data " + o.dataUri() + " has no usable rows: calibrate on a few"
          + " thousand representative samples");
    }
    if (rows < CalibrateOptions.FEW_SAMPLES) {
      LOG.warn("only {} calibration samples in {}: thresholds from fewer than {} samples are noisy", rows,
          o.dataUri(), CalibrateOptions.FEW_SAMPLES);
    }
    String digest = DatasetDigest.of(o.dataUri(), spark.sparkContext().hadoopConfiguration());
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<ModelPayload> model = sc.broadcast(ModelPayload.of(graph));
    org.apache.spark.sql.types.StructType schema = data.schema();
    int batch = o.batchSize();
    boolean gpu = resolveDevice(o, spark.sparkContext().getConf(), spark.sparkContext().master(),
        TensorRt.unavailableReason().isEmpty()) == CalibrateOptions.CalibrationDevice.GPU;
    // Stage-level scheduling (a GPU per task) needs a cluster manager; local mode runs on this JVM's GPU.
    ResourceProfile gpuProfile = gpu && !spark.sparkContext().master().startsWith("local")
        ? gpuProfile(o.gpuResource()) : null;
    String resource = o.gpuResource();
    LOG.info("calibrate: {} collector{}", gpu ? "GPU (TensorRT FP32 + CUDA histogram kernels)" : "CPU (TensorFlow)",
        gpuProfile != null ? ", tasks request resource '" + resource + "'" : "");

    Dataset<Row> rangeRows = rows <= FULL_RANGE_PASS_ROWS ? data
        : data.filter(xxhash64(java.util.Arrays.stream(data.columns()).map(c -> col("`" + c + "`"))
            .toArray(Column[]::new)).bitwiseAND(7L).equalTo(0L));
    long t1 = System.nanoTime();
    sc.setJobDescription("trtfleet calibrate: range pass, " + tensors.size() + " tensors, "
        + (rows <= FULL_RANGE_PASS_ROWS ? rows + " samples" : "1/8 of " + rows + " samples"));
    Map<String, Float> ranges = withGpu(rangeRows.javaRDD(), gpuProfile)
        .mapPartitions(it -> List.of(partitionRanges(it, model.value(), tensors, inputs, schema, batch, gpu,
            resource)).iterator())
        .reduce(ActivationCollector::mergeRanges);
    LOG.info("calibrate: range pass done in {} s", seconds(t1));

    long t2 = System.nanoTime();
    sc.setJobDescription("trtfleet calibrate: histograms of " + tensors.size() + " tensors over " + rows + " samples");
    JavaRDD<HistogramSet> partials = withGpu(data.javaRDD(), gpuProfile).mapPartitions(it -> List.of(
        partitionHistograms(it, model.value(), tensors, ranges, inputs, schema, batch, gpu, resource)).iterator());
    HistogramSet merged = partials.treeReduce(HistogramSet::merge, 2);
    double histSeconds = seconds(t2);
    LOG.info("calibrate: {} samples histogrammed in {} s ({} samples/s)", merged.samples(),
        String.format("%.1f", histSeconds), String.format("%.0f", merged.samples() / histSeconds));
    sc.setJobDescription(null);

    Calibrator chosen = o.algorithm().calibrator(o.percentile());
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("bins", AbsHistogram.DEFAULT_BINS);
    params.put("batch_size", batch);
    params.put("percentile", o.percentile());
    params.put("quantized_tensors", tensors.size());
    params.put("model", o.model().modelDir().toString());
    params.put("signature", graph.signature().key());
    // Which collector counted (partitions with no rows count nothing and report none).
    params.put("calibration_device", merged.collectors().isEmpty() ? (gpu ? "gpu" : "cpu")
        : String.join("+", merged.collectors()));
    CalibrationResult result = new CalibrationResult(chosen.name(), chosen.cacheName(), params, o.dataUri(), digest,
        merged.samples(), ThresholdSelector.select(merged, chosen, CalibrationAlgorithm.all(o.percentile())));
    if (!result.allZeroTensors().isEmpty()) {
      LOG.warn("tensors that were all zero on the calibration data (scale 0, left unquantized): {}",
          result.allZeroTensors());
    }
    publish(result, o.out());
    LOG.info("calibrate: {} tensors calibrated ({}) from {} samples in {} s -> {}", tensors.size(), chosen.name(),
        merged.samples(), String.format("%.1f", seconds(t0)), o.out().resolve("calibration"));
    return result;
  }

  static Dataset<Row> read(SparkSession spark, String uri) {
    return readParquet(spark, uri, "calibration data");
  }

  /** Reads a Parquet set in the calibration-set convention; {@code what} names it in the error. */
  public static Dataset<Row> readParquet(SparkSession spark, String uri, String what) {
    try {
      return spark.read().parquet(uri);
    } catch (Exception e) {  // AnalysisException (path not found; checked, thrown from Scala), Hadoop IO errors
      if (String.valueOf(e.getMessage()).contains("UNABLE_TO_INFER_SCHEMA")) {
        throw new TrtfleetException(what + " " + uri + " holds no Parquet files (or only empty ones): point --data at"
            + " the set, or write one with trtfleet calibration-data import", e);
      }
      throw ParquetErrors.readFailure(what, uri, e);
    }
  }

  private static Dataset<Row> dropBadRows(Dataset<Row> data, List<InputColumn> inputs, CalibrateOptions o) {
    CalibrationDataCheck.Report check = CalibrationDataCheck.run(data, inputs);
    for (CalibrationDataCheck.ColumnReport c : check.columns()) {
      if (c.badRows() == 0) {
        continue;
      }
      String what = "column '" + c.column() + "' of " + o.dataUri() + ": " + c.nonFinite() + " of " + c.rows()
          + " rows hold NaN/Inf and " + c.wrongSize() + " have the wrong element count";
      if (o.onBadRows() == CalibrateOptions.BadRows.FAIL) {
        throw new TrtfleetException(what + "; fix the data or pass --on-bad-rows skip");
      }
      LOG.warn("{}; skipping them (--on-bad-rows skip)", what);
    }
    return check.columns().stream().anyMatch(c -> c.badRows() > 0)
        ? data.filter(CalibrationDataCheck.goodRows(inputs)) : data;
  }

  /**
   * CPU or GPU, decided on the driver. AUTO is GPU when executors are offered the GPU resource
   * ({@code spark.executor.resource.NAME.amount > 0}) or, in local mode, when this JVM has TensorRT and a GPU.
   */
  static CalibrateOptions.CalibrationDevice resolveDevice(CalibrateOptions o, SparkConf conf, String master,
      boolean localGpu) {
    if (o.device() != CalibrateOptions.CalibrationDevice.AUTO) {
      return o.device();
    }
    if (master.startsWith("local")) {
      return localGpu ? CalibrateOptions.CalibrationDevice.GPU : CalibrateOptions.CalibrationDevice.CPU;
    }
    double amount = Double.parseDouble(conf.get("spark.executor.resource." + o.gpuResource() + ".amount", "0"));
    return amount > 0 ? CalibrateOptions.CalibrationDevice.GPU : CalibrateOptions.CalibrationDevice.CPU;
  }

  /** One GPU per executor and per task, of resource {@code name} (spark.executor.resource.NAME.*). */
  static ResourceProfile gpuProfile(String name) {
    return new ResourceProfileBuilder()
        .require(new ExecutorResourceRequests().resource(name, 1, "", ""))
        .require(new TaskResourceRequests().resource(name, 1.0))
        .build();
  }

  private static <T> JavaRDD<T> withGpu(JavaRDD<T> rdd, ResourceProfile profile) {
    return profile == null ? rdd : rdd.withResources(profile);
  }

  /** The CUDA ordinal Spark assigned this task (first address of the resource), 0 when none was assigned. */
  static int deviceOrdinal(Map<String, ResourceInformation> resources, String name) {
    ResourceInformation info = resources == null ? null : resources.get(name);
    if (info == null || info.addresses().length == 0) {
      return 0;
    }
    try {
      return Integer.parseInt(info.addresses()[0].trim());
    } catch (NumberFormatException e) {
      throw new TrtfleetException("resource '" + name + "' address '" + info.addresses()[0]
          + "' is not a CUDA device ordinal: check the GPU discovery script", e);
    }
  }

  static CalibrationCollector openCollector(ModelPayload model, List<String> tensors, int batch, boolean gpu,
      String resource) {
    if (!gpu) {
      return new ActivationCollector(model.graph(), tensors, 1);
    }
    TaskContext task = TaskContext.get();
    int ordinal = deviceOrdinal(task == null ? null : task.resourcesJMap(), resource);
    return GpuActivationCollector.forGraph(model.graph(), tensors, ordinal, batch);
  }

  static Map<String, Float> partitionRanges(Iterator<Row> rows, ModelPayload model, List<String> tensors,
      List<InputColumn> inputs, org.apache.spark.sql.types.StructType schema, int batch) {
    return partitionRanges(rows, model, tensors, inputs, schema, batch, false, CalibrateOptions.DEFAULT_GPU_RESOURCE);
  }

  static Map<String, Float> partitionRanges(Iterator<Row> rows, ModelPayload model, List<String> tensors,
      List<InputColumn> inputs, org.apache.spark.sql.types.StructType schema, int batch, boolean gpu, String resource) {
    Map<String, Float> ranges = new LinkedHashMap<>();
    for (String t : tensors) {
      ranges.put(t, 0f);
    }
    if (!rows.hasNext()) {
      return ranges;
    }
    try (CalibrationCollector collector = openCollector(model, tensors, batch, gpu, resource)) {
      SampleBatcher batcher = new SampleBatcher(inputs, schema, batch);
      while (rows.hasNext()) {
        if (batcher.add(rows.next()) || !rows.hasNext()) {
          int valid = batcher.size();
          ranges = ActivationCollector.mergeRanges(ranges, collector.ranges(batcher.drain(), valid));
        }
      }
    }
    return ranges;
  }

  static HistogramSet partitionHistograms(Iterator<Row> rows, ModelPayload model, List<String> tensors,
      Map<String, Float> ranges, List<InputColumn> inputs, org.apache.spark.sql.types.StructType schema, int batch) {
    return partitionHistograms(rows, model, tensors, ranges, inputs, schema, batch, false,
        CalibrateOptions.DEFAULT_GPU_RESOURCE);
  }

  static HistogramSet partitionHistograms(Iterator<Row> rows, ModelPayload model, List<String> tensors,
      Map<String, Float> ranges, List<InputColumn> inputs, org.apache.spark.sql.types.StructType schema, int batch,
      boolean gpu, String resource) {
    HistogramSet set = HistogramSet.withRanges(tensors, ranges, AbsHistogram.DEFAULT_BINS);
    if (!rows.hasNext()) {
      return set;
    }
    long start = System.nanoTime();
    try (CalibrationCollector collector = openCollector(model, tensors, batch, gpu, resource)) {
      set.addCollector(collector.device());
      SampleBatcher batcher = new SampleBatcher(inputs, schema, batch);
      while (rows.hasNext()) {
        if (batcher.add(rows.next()) || !rows.hasNext()) {
          int valid = batcher.size();
          collector.accumulate(batcher.drain(), valid, set);
        }
      }
    }
    double s = seconds(start);
    LoggerFactory.getLogger(CalibrateJob.class).info("calibrate: partition histogrammed {} samples on {} in {} s ({} samples/s)",
        set.samples(), set.collectors(), String.format("%.1f", s), String.format("%.0f", set.samples() / Math.max(s, 1e-9)));
    return set;
  }

  /** Writes into a hidden sibling, then renames: --out never holds a half-written calibration. */
  static void publish(CalibrationResult result, Path out) {
    Path target = out.resolve("calibration");
    Path staging = out.resolve(".calibration-" + UUID.randomUUID());
    try {
      Files.createDirectories(out);
      CalibrationWriter.write(result, staging);
      if (Files.exists(target)) {
        Path old = out.resolve(".calibration-old-" + UUID.randomUUID());
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        FileTrees.deleteTree(old);
      } else {
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      try {
        FileTrees.deleteTree(staging);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw new UncheckedIOException("cannot write the calibration to " + target, e);
    }
  }


  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

}
