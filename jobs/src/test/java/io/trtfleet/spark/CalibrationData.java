package io.trtfleet.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Small calibration sets written as Parquet with Spark, in the documented convention. */
final class CalibrationData {

  private CalibrationData() {}

  static StructType imagesSchema() {
    return new StructType()
        .add("images", DataTypes.createArrayType(DataTypes.FloatType, false), false)
        .add("label", DataTypes.IntegerType, false);
  }

  /** n rows of 28x28x1 images with values in [0, 1) and a few bright pixels, labels 0..9. */
  static List<Row> images(int n, long seed) {
    Random r = new Random(seed);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<Float> px = new ArrayList<>(784);
      for (int k = 0; k < 784; k++) {
        px.add(r.nextFloat() < 0.3f ? r.nextFloat() : 0f);
      }
      rows.add(RowFactory.create(px, i % 10));
    }
    return rows;
  }

  static String write(SparkSession spark, List<Row> rows, StructType schema, String path, int files) {
    Dataset<Row> df = spark.createDataFrame(rows, schema).repartition(files);
    df.write().mode("overwrite").parquet(path);
    return path;
  }
}
