package io.trtfleet.spark;

import io.trtfleet.calibrate.ActivationCollector;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.quantize.HistogramSet;
import io.trtfleet.quantize.QuantizationTargets;
import io.trtfleet.reference.ReferenceRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

/**
 * Calibration throughput on the sample CNN with local[2]: the histogram pass of CalibrateJob against
 * plain FP32 inference of the same batches in the same partitions (target: histograms add <= 50%).
 * Run: scripts/bench jobs io.trtfleet.spark.CalibrationThroughputBench [repeat]
 */
public final class CalibrationThroughputBench {

  public static void main(String[] args) {
    int repeat = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    Path root = Path.of(System.getProperty("trtfleet.root", "."));
    String data = root.resolve("calibration-data/samples/fashion-mnist/calibration.parquet").toString();
    FrozenGraph g = SavedModelImporter.importModel(ImportOptions.of(
        root.resolve("calibration-data/samples/fashion-mnist-cnn/saved_model"))).graph();
    List<String> tensors = QuantizationTargets.of(g);
    String output = g.signature().outputs().get(0).tensor().name();
    SparkSession spark = SparkTestSession.start("calibration-bench");
    try {
      Dataset<Row> df = spark.read().parquet(data).select("images").repartition(2).cache();
      long rows = df.count();
      List<InputColumn> inputs = CalibrationSchema.match(df.schema(), g.signature(), Map.of(), data);
      StructType schema = df.schema();
      ModelPayload model = ModelPayload.of(g);
      int batch = CalibrateOptions.DEFAULT_BATCH;
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      CalibrationTask task = new CalibrationTask(sc.broadcast(model), tensors, inputs, schema, batch,
          new CollectorDevice(false, CalibrateOptions.DEFAULT_GPU_RESOURCE, null));
      LongAccumulator counted = sc.sc().longAccumulator();
      JavaRDD<Row> rdd = df.javaRDD();
      Map<String, Float> ranges = rdd.mapPartitions(it -> List.of(RangePass.partition(it, task, counted)).iterator())
          .reduce(ActivationCollector::mergeRanges);
      List<Double> inference = new ArrayList<>();
      List<Double> histograms = new ArrayList<>();
      for (int r = 0; r < repeat; r++) {
        long t0 = System.nanoTime();
        rdd.mapPartitions(it -> List.of(infer(it, model, inputs, schema, batch, output)).iterator()).count();
        inference.add((System.nanoTime() - t0) / 1e9);
        long t1 = System.nanoTime();
        rdd.mapPartitions(it -> List.of(HistogramPass.partition(it, task, ranges, counted)).iterator())
            .treeReduce(HistogramSet::merge, 2);
        histograms.add((System.nanoTime() - t1) / 1e9);
      }
      double inf = median(inference);
      double hist = median(histograms);
      System.out.printf(Locale.ROOT, "samples %d, batch %d, %d tensors, local[2], median of %d%n", rows, batch,
          tensors.size(), repeat);
      System.out.printf(Locale.ROOT, "FP32 inference (output only): %.2f s, %.0f samples/s%n", inf, rows / inf);
      System.out.printf(Locale.ROOT, "histogram pass:               %.2f s, %.0f samples/s%n", hist, rows / hist);
      System.out.printf(Locale.ROOT, "histogram pass / inference: %.2fx (target <= 1.50x)%n", hist / inf);
    } finally {
      spark.stop();
    }
  }

  /** The same batching as calibration, fetching only the signature output. */
  static long infer(Iterator<Row> rows, ModelPayload model, List<InputColumn> inputs, StructType schema, int batch,
      String output) {
    long n = 0;
    try (ReferenceRunner runner = new ReferenceRunner(model.graph(), 1)) {
      SampleBatcher batcher = new SampleBatcher(inputs, schema, batch);
      while (rows.hasNext()) {
        if (batcher.add(rows.next()) || !rows.hasNext()) {
          n += batcher.size();
          Map<String, HostTensor> out = runner.run(batcher.drain(), List.of(output));
          out.get(output).floats();
        }
      }
    }
    return n;
  }

  private static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    s.sort(null);
    return s.get(s.size() / 2);
  }
}
