package io.trtfleet.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.xxhash64;

import io.trtfleet.TrtfleetException;
import io.trtfleet.graph.Signature;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rows a calibration runs on: the set's input columns only, bad rows failed or skipped
 * (--on-bad-rows), the --samples subset, counted; each pass gets them spread over enough tasks
 * ({@link SampleSplit}).
 */
record CalibrationRows(Dataset<Row> data, List<InputColumn> inputs, long count, int samplesPerTask, int parallelism) {

  private static final Logger LOG = LoggerFactory.getLogger(CalibrationRows.class);
  /** Up to this many rows, the range pass reads them all; above, a 1/8 subset chosen by content hash. */
  static final long FULL_RANGE_PASS_ROWS = 8192;

  static CalibrationRows prepare(SparkSession spark, Signature signature, CalibrateOptions o) {
    Dataset<Row> data = ParquetSets.read(spark, o.dataUri(), "calibration data");
    List<InputColumn> inputs = CalibrationSchema.match(data.schema(), signature, o.inputMap(), o.dataUri());
    data = data.select(inputs.stream().map(c -> col("`" + c.column() + "`")).toArray(Column[]::new));
    long count;
    try (SparkStage stage = SparkStage.start(JavaSparkContext.fromSparkContext(spark.sparkContext()), "calibrate",
        "check data", o.dataUri() + ": NaN/Inf, element counts, rows", "rows", 0)) {
      CalibrationDataCheck.Report check = CalibrationDataCheck.run(data, inputs);
      boolean skipping = dropBadRows(check, o);
      if (skipping) {
        data = data.filter(CalibrationDataCheck.goodRows(inputs));
      }
      if (o.samples() > 0) {
        // A deterministic subset: the same rows whatever the file layout or partitioning.
        data = data.orderBy(xxhash64(columns(data))).limit((int) Math.min(Integer.MAX_VALUE, o.samples()));
      }
      count = skipping || o.samples() > 0 ? data.count() : check.rows();
      stage.counter().add(count);
      stage.done();
    } catch (TrtfleetException e) {
      throw e;
    } catch (Exception e) {  // the first passes over the files: a damaged or foreign file fails here (SparkException is checked)
      throw ParquetErrors.readFailure("calibration data", o.dataUri(), e);
    }
    if (count == 0) {
      throw new TrtfleetException("calibration data " + o.dataUri() + " has no usable rows: calibrate on a few"
          + " thousand representative samples");
    }
    if (count < CalibrateOptions.FEW_SAMPLES) {
      LOG.warn("only {} calibration samples in {}: thresholds from fewer than {} samples are noisy", count,
          o.dataUri(), CalibrateOptions.FEW_SAMPLES);
    }
    return new CalibrationRows(data, inputs, count, o.samplesPerTask(), spark.sparkContext().defaultParallelism());
  }

  /** Every row, for the histogram pass. */
  Dataset<Row> all() {
    return SampleSplit.spread(data, count, samplesPerTask, parallelism);
  }

  /** The range pass reads every row of small sets, else the 1/8 whose content hash ends in binary 000. */
  boolean rangeSubset() {
    return count > FULL_RANGE_PASS_ROWS;
  }

  Dataset<Row> rangeRows() {
    return rangeSubset() ? SampleSplit.spread(data.filter(xxhash64(columns(data)).bitwiseAND(7L).equalTo(0L)),
        count / 8, samplesPerTask, parallelism) : all();
  }

  private static Column[] columns(Dataset<Row> data) {
    return Arrays.stream(data.columns()).map(c -> col("`" + c + "`")).toArray(Column[]::new);
  }

  /** Fails on bad rows, or says they will be skipped (--on-bad-rows skip): true when there are some. */
  private static boolean dropBadRows(CalibrationDataCheck.Report check, CalibrateOptions o) {
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
    return check.columns().stream().anyMatch(c -> c.badRows() > 0);
  }
}
