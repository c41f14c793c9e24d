package io.trtfleet.spark;

import org.apache.spark.sql.SparkSession;

/** One local Spark session for a test class: real Spark, two executor threads, no UI. */
public final class SparkTestSession {

  private SparkTestSession() {}

  public static SparkSession start(String name) {
    return SparkSession.builder()
        .appName(name)
        .master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        // One Parquet file per partition, so tests choose the partitioning by the files they write.
        .config("spark.sql.files.openCostInBytes", String.valueOf(128L << 20))
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate();
  }
}
