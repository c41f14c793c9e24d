package io.trtfleet.spark;

import io.trtfleet.calibrate.ActivationCollector;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;

/**
 * Calibration's first pass: the max |x| of each tensor, which fixes every histogram's bin width before
 * any task counts, so partial histograms add up exactly. Maxima merge in any order.
 */
final class RangePass {

  private RangePass() {}

  static Map<String, Float> run(JavaSparkContext sc, CalibrationTask task, CalibrationRows rows) {
    long count = rows.rangeSubset() ? rows.count() / 8 : rows.count();
    String what = rows.rangeSubset() ? "1/8 of " + rows.count() + " samples" : rows.count() + " samples";
    try (SparkStage stage = SparkStage.start(sc, "calibrate", "ranges", task.tensors().size() + " tensors, " + what,
        "samples", count)) {
      LongAccumulator samples = stage.counter();
      Map<String, Float> ranges = task.device().schedule(rows.rangeRows().javaRDD())
          .mapPartitions(it -> List.of(partition(it, task, samples)).iterator())
          .reduce(ActivationCollector::mergeRanges);
      stage.done();
      return ranges;
    }
  }

  /** On an executor: the ranges of one partition (0 for every tensor when it is empty). */
  static Map<String, Float> partition(Iterator<Row> rows, CalibrationTask task, LongAccumulator samples) {
    Map<String, Float> ranges = new HashMap<>();
    task.tensors().forEach(t -> ranges.put(t, 0f));
    task.forEachBatch(rows, samples, (collector, batch, valid) ->
        collector.ranges(batch, valid).forEach((t, v) -> ranges.merge(t, v, Math::max)));
    return ranges;
  }
}
