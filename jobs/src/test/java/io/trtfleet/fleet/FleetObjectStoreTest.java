package io.trtfleet.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.spark.SparkTestSession;
import io.trtfleet.testing.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry model that lives in object storage (S3 on a real S3 server on loopback): the nightly copies
 * it once into the local cache by content digest, checks the copy, and builds it like any other.
 */
class FleetObjectStoreTest {

  @TempDir
  Path dir;

  @Test
  void anS3SavedModelIsFetchedOnceAndBuilt() throws Exception {
    try (S3ProxyServer s3 = new S3ProxyServer("models")) {
      Configuration s3conf = s3.conf();
      FileSystem fs = new org.apache.hadoop.fs.Path("s3a://models/").getFileSystem(s3conf);
      fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(FleetLocalTest.SAMPLES.resolve("fashion-mnist-cnn/saved_model")
          .toUri()), new org.apache.hadoop.fs.Path("s3a://models/cnn/1"));
      Path fleet = Files.writeString(dir.resolve("fleet.yaml"), "pools:\n  - {name: cpu, backend: onnxruntime}\n");
      String models = FleetLocalTest.modelYaml("cnn", FleetLocalTest.SAMPLES, "[FP32]", "{}", "[cpu]")
          .replace("model: " + FleetLocalTest.SAMPLES, "model: s3a://models/cnn/1");
      Path registry = Files.writeString(dir.resolve("models.yaml"), models);
      System.setProperty(SavedModelCache.CACHE_PROPERTY, dir.resolve("cache").toString());
      SparkSession spark = SparkTestSession.start("FleetObjectStoreTest");
      try {
        for (Map.Entry<String, String> e : s3conf) {
          if (e.getKey().startsWith("fs.s3a.")) {
            spark.sparkContext().hadoopConfiguration().set(e.getKey(), e.getValue());
          }
        }
        RunReport report = NightlyJob.run(spark, FleetLocalTest.options(fleet, registry, dir.resolve("store"), "s3"));
        assertEquals(1, report.count(TargetResult.Status.BUILT), report.toString());
        assertTrue(report.results().get(0).top1() > 0.8, report.toString());
      } finally {
        spark.stop();
        System.clearProperty(SavedModelCache.CACHE_PROPERTY);
      }
      try (Stream<Path> cached = Files.list(dir.resolve("cache/savedmodels"))) {
        List<Path> copies = cached.toList();
        assertEquals(1, copies.size(), copies.toString());
        assertTrue(copies.get(0).getFileName().toString().matches("[0-9a-f]{64}"), "named by content digest");
        assertTrue(Files.isRegularFile(copies.get(0).resolve("saved_model.pb")));
        assertFalse(copies.get(0).getFileName().toString().contains("partial"));
      }
    }
  }
}
