package io.trtfleet.spark;

import io.trtfleet.Durations;
import io.trtfleet.quantize.AbsHistogram;
import io.trtfleet.quantize.HistogramSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.LoggerFactory;

/**
 * Calibration's second pass: every task counts its samples' activations into histograms of the bin
 * widths the {@link RangePass} fixed; the driver adds them up (treeReduce). Activations never leave the
 * executors, and the sum is the same whatever the partitioning or row order.
 */
final class HistogramPass {

  private HistogramPass() {}

  static HistogramSet run(JavaSparkContext sc, CalibrationTask task, Map<String, Float> ranges, Dataset<Row> rows,
      long count) {
    try (SparkStage stage = SparkStage.start(sc, "calibrate", "histograms", task.tensors().size() + " tensors, "
        + count + " samples", "samples", count)) {
      LongAccumulator samples = stage.counter();
      HistogramSet merged = task.device().schedule(rows.javaRDD())
          .mapPartitions(it -> List.of(partition(it, task, ranges, samples)).iterator())
          .treeReduce(HistogramSet::merge, 2);
      stage.done();
      return merged;
    }
  }

  /** On an executor: one partition's histograms. */
  static HistogramSet partition(Iterator<Row> rows, CalibrationTask task, Map<String, Float> ranges,
      LongAccumulator samples) {
    HistogramSet set = HistogramSet.withRanges(task.tensors(), ranges, AbsHistogram.DEFAULT_BINS);
    long start = System.nanoTime();
    task.forEachBatch(rows, samples, (collector, batch, valid) -> {
      set.addCollector(collector.device());
      collector.accumulate(batch, valid, set);
    });
    if (set.samples() > 0) {
      double s = (System.nanoTime() - start) / 1e9;
      LoggerFactory.getLogger(HistogramPass.class).debug("calibrate: task histogrammed {} samples on {} in {} ({} samples/s)",
          set.samples(), set.collectors(), Durations.formatSeconds(s),
          String.format(Locale.ROOT, "%.0f", set.samples() / Math.max(s, 1e-9)));
    }
    return set;
  }
}
