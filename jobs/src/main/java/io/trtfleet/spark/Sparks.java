package io.trtfleet.spark;

import io.trtfleet.Messages;
import io.trtfleet.TrtfleetException;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** The Spark session of a CLI run: spark-submit's master when there is one, else local. */
public final class Sparks {

  private Sparks() {}

  /**
   * @param master an explicit master (--master), or null to take spark-submit's, or local[*] when the
   *     CLI runs outside spark-submit
   */
  public static SparkSession session(String appName, String master) {
    SparkConf conf = new SparkConf().setAppName(appName);
    if (master != null) {
      conf.setMaster(master);
    } else if (!conf.contains("spark.master")) {
      conf.setMaster("local[*]");
    }
    if (conf.get("spark.master").startsWith("local")) {
      conf.setIfMissing("spark.ui.showConsoleProgress", "false");
      conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
      conf.setIfMissing("spark.driver.host", "127.0.0.1");
    }
    try {
      return SparkSession.builder().config(conf).getOrCreate();
    } catch (Exception e) { // SparkException (checked, thrown from Scala): a master URL it cannot use
      throw new TrtfleetException("cannot start Spark with master " + conf.get("spark.master") + " ("
          + Messages.rootFirstLine(e) + "): check --master (local[*], spark://host:7077, yarn, k8s://...)", e);
    }
  }
}
