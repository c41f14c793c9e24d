package io.trtfleet.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Spreads calibration samples over enough Spark tasks: a calibration set of one large Parquet file (one
 * row group) is otherwise one task on one core. The split never changes the result: histograms merge by
 * adding counts and ranges by taking maxima, whatever rows a task gets.
 */
final class SampleSplit {

  /** Below this many samples a task costs more to start than it saves. */
  static final int MIN_SAMPLES_PER_TASK = 256;

  private SampleSplit() {}

  /**
   * How many tasks {@code rows} samples get: one per {@code perTask} samples, and at least one per core
   * ({@code parallelism}) while each keeps {@link #MIN_SAMPLES_PER_TASK} samples.
   */
  static int tasks(long rows, int perTask, int parallelism) {
    long bySize = ceilDiv(rows, perTask);
    long byCores = Math.min(parallelism, ceilDiv(rows, Math.min(perTask, MIN_SAMPLES_PER_TASK)));
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.max(bySize, byCores)));
  }

  /** {@code data} in {@link #tasks} partitions, or as it is when it already has as many. */
  static Dataset<Row> spread(Dataset<Row> data, long rows, int perTask, int parallelism) {
    int tasks = tasks(rows, perTask, parallelism);
    return tasks > data.rdd().getNumPartitions() ? data.repartition(tasks) : data;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
