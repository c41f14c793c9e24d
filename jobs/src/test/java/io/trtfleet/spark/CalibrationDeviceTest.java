package io.trtfleet.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.TrtfleetException;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.spark.CalibrateOptions.CalibrationDevice;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.resource.ResourceProfile;
import org.junit.jupiter.api.Test;

/** --calibration-device and --gpu-resource: parsing, the driver's choice, the GPU resource profile. */
class CalibrationDeviceTest {

  private static CalibrateOptions options(CalibrationDevice d, String resource) {
    return CalibrateOptions.builder(ImportOptions.of(Path.of("model")), "file:///data", Path.of("out"))
        .device(d).gpuResource(resource).build();
  }

  @Test
  void parsesAndDefaultsToAuto() {
    assertEquals(CalibrationDevice.CPU, CalibrationDevice.parse("cpu"));
    assertEquals(CalibrationDevice.GPU, CalibrationDevice.parse("GPU"));
    assertEquals(CalibrationDevice.AUTO, CalibrationDevice.parse("auto"));
    assertThrows(TrtfleetException.class, () -> CalibrationDevice.parse("tpu"));
    CalibrateOptions d = CalibrateOptions.builder(ImportOptions.of(Path.of("m")), "file:///d", Path.of("o")).build();
    assertEquals(CalibrationDevice.AUTO, d.device());
    assertEquals("gpu", d.gpuResource());
    assertThrows(IllegalArgumentException.class, () -> options(CalibrationDevice.GPU, " "));
  }

  @Test
  void autoPicksGpuOnlyWhereExecutorsGetOne() {
    SparkConf none = new SparkConf(false);
    SparkConf gpus = new SparkConf(false).set("spark.executor.resource.gpu.amount", "1");
    SparkConf pool = new SparkConf(false).set("spark.executor.resource.h100.amount", "1");
    assertEquals(CalibrationDevice.CPU, CollectorDevice.resolve(options(CalibrationDevice.AUTO, "gpu"), none, "yarn", true));
    assertEquals(CalibrationDevice.GPU, CollectorDevice.resolve(options(CalibrationDevice.AUTO, "gpu"), gpus, "yarn", false));
    assertEquals(CalibrationDevice.CPU, CollectorDevice.resolve(options(CalibrationDevice.AUTO, "gpu"), pool, "k8s://x", false));
    assertEquals(CalibrationDevice.GPU, CollectorDevice.resolve(options(CalibrationDevice.AUTO, "h100"), pool, "k8s://x", false));
    assertEquals(CalibrationDevice.GPU, CollectorDevice.resolve(options(CalibrationDevice.AUTO, "gpu"), none, "local[4]", true));
    assertEquals(CalibrationDevice.CPU, CollectorDevice.resolve(options(CalibrationDevice.AUTO, "gpu"), gpus, "local[4]", false));
    // explicit choices are kept
    assertEquals(CalibrationDevice.CPU, CollectorDevice.resolve(options(CalibrationDevice.CPU, "gpu"), gpus, "yarn", true));
    assertEquals(CalibrationDevice.GPU, CollectorDevice.resolve(options(CalibrationDevice.GPU, "gpu"), none, "local", false));
  }

  @Test
  void gpuProfileRequestsOneGpuPerExecutorAndTask() {
    ResourceProfile p = CollectorDevice.profile("h100");
    assertEquals(1L, p.executorResourcesJMap().get("h100").amount());
    assertEquals(1.0, p.taskResourcesJMap().get("h100").amount());
  }

  @Test
  void taskOrdinalComesFromTheResourceAddresses() {
    assertEquals(0, CollectorDevice.deviceOrdinal(null, "gpu"));
    assertEquals(0, CollectorDevice.deviceOrdinal(Map.of(), "gpu"));
    assertEquals(3, CollectorDevice.deviceOrdinal(Map.of("gpu", new ResourceInformation("gpu", new String[] {"3", "4"})), "gpu"));
    assertEquals(0, CollectorDevice.deviceOrdinal(Map.of("gpu", new ResourceInformation("gpu", new String[] {"3"})), "h100"));
    TrtfleetException e = assertThrows(TrtfleetException.class, () -> CollectorDevice.deviceOrdinal(
        Map.of("gpu", new ResourceInformation("gpu", new String[] {"GPU-1234"})), "gpu"));
    assertTrue(e.getMessage().contains("GPU-1234"));
  }
}
