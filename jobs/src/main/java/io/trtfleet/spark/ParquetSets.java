package io.trtfleet.spark;

import io.trtfleet.TrtfleetException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Parquet sets in the calibration-set convention (calibration-data/README.md), read by Spark. */
public final class ParquetSets {

  private ParquetSets() {}

  /** Reads a Parquet file or folder; {@code what} names it in the error (calibration data, validation data). */
  public static Dataset<Row> read(SparkSession spark, String uri, String what) {
    try {
      return spark.read().parquet(uri);
    } catch (Exception e) {  // AnalysisException (path not found; checked, thrown from Scala), Hadoop IO errors
      if (String.valueOf(e.getMessage()).contains("UNABLE_TO_INFER_SCHEMA")) {
        throw noParquetFiles(what, uri, e);
      }
      throw ParquetErrors.readFailure(what, uri, e);
    }
  }

  static TrtfleetException noParquetFiles(String what, String uri, Exception cause) {
    return new TrtfleetException(what + " " + uri + " holds no Parquet files (or only empty ones): point --data at"
        + " the set, or write one with trtfleet calibration-data import", cause);
  }
}
