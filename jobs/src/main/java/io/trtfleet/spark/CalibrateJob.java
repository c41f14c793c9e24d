package io.trtfleet.spark;

import io.trtfleet.Durations;
import io.trtfleet.TrtfleetException;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.quantize.AbsHistogram;
import io.trtfleet.quantize.CalibrationAlgorithm;
import io.trtfleet.quantize.CalibrationResult;
import io.trtfleet.quantize.Calibrator;
import io.trtfleet.quantize.HistogramSet;
import io.trtfleet.quantize.QuantizationTargets;
import io.trtfleet.quantize.ThresholdSelector;
import io.trtfleet.tensorrt.TensorRt;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * INT8 calibration on Spark, start to end: the rows ({@link CalibrationRows}), the max |x| pass that
 * fixes the bin widths ({@link RangePass}), the histogram pass whose partial histograms the driver adds
 * up ({@link HistogramPass}), thresholds by the chosen algorithm, and the outputs
 * ({@link CalibrationPublisher}). Merged histograms are exact sums, bit-identical whatever the
 * partitioning or row order; activations never leave the executors.
 */
public final class CalibrateJob {

  private static final Logger LOG = LoggerFactory.getLogger(CalibrateJob.class);

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
    CalibrationRows rows = CalibrationRows.prepare(spark, graph.signature(), o);
    String digest = DatasetDigest.of(o.dataUri(), spark.sparkContext().hadoopConfiguration());
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    CollectorDevice device = CollectorDevice.decide(spark, o, TensorRt.unavailableReason().isEmpty());
    Dataset<Row> all = rows.all();
    LOG.info("calibrate: {} tensors, {} samples in {} tasks, {} collector", tensors.size(), rows.count(),
        all.rdd().getNumPartitions(), device.describe());
    CalibrationTask task = new CalibrationTask(sc.broadcast(ModelPayload.of(graph)), tensors, rows.inputs(),
        all.schema(), o.batchSize(), device);

    Map<String, Float> ranges = RangePass.run(sc, task, rows);
    HistogramSet merged = HistogramPass.run(sc, task, ranges, all, rows.count());

    Calibrator chosen = o.algorithm().calibrator(o.percentile());
    CalibrationResult result = new CalibrationResult(chosen.name(), chosen.cacheName(),
        parameters(o, graph, tensors, merged, device), o.dataUri(), digest, merged.samples(),
        ThresholdSelector.select(merged, chosen, CalibrationAlgorithm.all(o.percentile())));
    if (!result.allZeroTensors().isEmpty()) {
      LOG.warn("tensors that were all zero on the calibration data (scale 0, left unquantized): {}",
          result.allZeroTensors());
    }
    Path written = CalibrationPublisher.publish(result, o.out());
    LOG.info("calibrate: {} tensors calibrated ({}) from {} samples in {} -> {}", tensors.size(), chosen.name(),
        merged.samples(), Durations.since(t0), written);
    return result;
  }

  private static Map<String, Object> parameters(CalibrateOptions o, FrozenGraph graph, List<String> tensors,
      HistogramSet merged, CollectorDevice device) {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("bins", AbsHistogram.DEFAULT_BINS);
    params.put("batch_size", o.batchSize());
    params.put("percentile", o.percentile());
    params.put("quantized_tensors", tensors.size());
    params.put("model", o.model().modelDir().toString());
    params.put("signature", graph.signature().key());
    // Which collector counted (partitions with no rows count nothing and report none).
    params.put("calibration_device", merged.collectors().isEmpty() ? (device.gpu() ? "gpu" : "cpu")
        : String.join("+", merged.collectors()));
    return params;
  }
}
