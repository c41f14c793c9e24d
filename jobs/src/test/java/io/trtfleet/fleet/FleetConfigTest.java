package io.trtfleet.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.Precision;
import io.trtfleet.TrtfleetException;
import io.trtfleet.quantize.CalibrationAlgorithm;
import io.trtfleet.tensorrt.ImageBinding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetConfigTest {

  static final Path ROOT = Path.of(System.getProperty("trtfleet.root", ".."));

  @TempDir
  Path dir;

  static final String POOLS = """
      pools:
        - name: gpu-h100
          gpu_name: H100
          device: h100-80gb-hbm3.sm90
          tensorrt: 10.6.0
        - name: gpu-a100
          gpu_name: A100
          device: a100-sxm4-80gb.sm80
          tensorrt: 10.6.0
      """;

  @Test
  void shippedConfigsLoadAndPointAtTheSample() {
    FleetConfig fleet = FleetConfig.load(ROOT.resolve("conf/fleet.yaml"));
    assertEquals(List.of("cpu", "gpu-h100", "gpu-h200"), List.copyOf(fleet.pools().keySet()));
    Pool h100 = fleet.pool("gpu-h100").orElseThrow();
    assertEquals("trt-10.6.0", h100.backendKey());
    assertEquals("h100-80gb-hbm3.sm90", h100.storeDeviceKey());
    assertTrue(h100.matchesGpuName("NVIDIA H100 80GB HBM3"));
    Pool cpu = fleet.pool("cpu").orElseThrow();
    assertFalse(cpu.needsGpu());
    assertEquals("cpu", cpu.storeDeviceKey());
    assertTrue(cpu.backendKey().matches("onnxruntime-\\d+\\.\\d+\\.\\d+"), cpu.backendKey());
    assertFalse(cpu.matchesGpuName("NVIDIA H100 80GB HBM3"));
    ModelRegistry models = ModelRegistry.load(ROOT.resolve("conf/models.yaml"), fleet);
    ModelSpec m = models.models().get(0);
    assertEquals("fashion-mnist-cnn", m.name());
    assertEquals(List.of(Precision.FP32, Precision.FP16, Precision.INT8), m.precisions());
    assertTrue(Files.isDirectory(Path.of(m.modelUri())), m.modelUri());
    assertTrue(Files.isRegularFile(Path.of(m.calibration().dataUri())));
    assertTrue(Files.isRegularFile(Path.of(m.validation().dataUri())));
    assertEquals(CalibrationAlgorithm.ENTROPY, m.calibration().algorithm());
    assertEquals(0.02, m.maxTop1Drop().get(Precision.INT8));
    assertEquals(1, m.profiles().size());
    assertNotNull(m.profiles().get(0).inputs().get("images"));
  }

  @Test
  void unknownKeyNamesFileAndKey() throws IOException {
    Path f = write("fleet.yaml", POOLS.replace("tensorrt: 10.6.0\n  - name: gpu-a100", "tensorrt: 10.6.0\n    gpu_count: 8\n  - name: gpu-a100"));
    String m = fail(() -> FleetConfig.load(f));
    assertTrue(m.startsWith(f + ": pools[0].gpu_count: unknown key"), m);
  }

  @Test
  void dottedResourceNameIsRefused() throws IOException {
    Path f = write("fleet.yaml", POOLS.replace("gpu-a100", "gpu.a100"));
    String m = fail(() -> FleetConfig.load(f));
    assertTrue(m.startsWith(f + ": pools[1].name: 'gpu.a100' is not a Spark resource name"), m);
  }

  @Test
  void missingFieldAndBadValuesNameTheirKey() throws IOException {
    Path f = write("fleet.yaml", POOLS.replace("    device: a100-sxm4-80gb.sm80\n", ""));
    assertTrue(fail(() -> FleetConfig.load(f)).startsWith(f + ": pools[1].device: missing"));
    Path g = write("fleet2.yaml", POOLS.replace("device: a100-sxm4-80gb.sm80", "device: A100 SXM"));
    assertTrue(fail(() -> FleetConfig.load(g)).startsWith(g + ": pools[1].device: device 'A100 SXM' is not"));
    Path h = write("fleet3.yaml", POOLS.replace("gpu_name: A100", "gpu_name: \"A100(\""));
    assertTrue(fail(() -> FleetConfig.load(h)).startsWith(h + ": pools[1].gpu_name: "));
  }

  @Test
  void modelsCheckPoolsPrecisionsAndCalibration() throws IOException {
    FleetConfig fleet = FleetConfig.load(write("fleet.yaml", POOLS));
    String model = """
        models:
          - name: cnn
            model: models/cnn
            precisions: [FP32, INT8]
            calibration: {data: data/cal.parquet, algorithm: entropy}
            validation: {data: data/val.parquet}
            gates: {max_top1_drop: {INT8: 0.01}}
            pools: [gpu-h100, gpu-a100]
        """;
    ModelRegistry ok = ModelRegistry.load(write("models.yaml", model), fleet);
    assertEquals(dir.resolve("models/cnn").toString(), ok.models().get(0).modelUri());
    assertEquals(ModelRegistry.DEFAULT_VALIDATION_SAMPLES, ok.models().get(0).validation().samples());
    assertEquals(ImageBinding.CHANNEL_LAST, ok.models().get(0).imageBinding());
    ModelSpec nchw = ModelRegistry.load(write("nchw.yaml", model.replace("    pools:", "    image_binding: NCHW\n    pools:")),
        fleet).models().get(0);
    assertEquals(ImageBinding.NCHW, nchw.imageBinding());
    // The binding shapes GPU engines: changing it rebuilds GPU targets, not CPU ones; the default binding
    // keeps the digest targets had before bindings were configurable (pinned).
    String channelLast = FleetPlanner.optionsDigest(ok.models().get(0), Precision.INT8, true);
    assertEquals("269c11a17e5ca63411f9c83d17ca73c1868f13207a7f9be52dcf17f7517416e4", channelLast);
    assertNotEquals(channelLast, FleetPlanner.optionsDigest(nchw, Precision.INT8, true));
    assertEquals(FleetPlanner.optionsDigest(ok.models().get(0), Precision.INT8, false),
        FleetPlanner.optionsDigest(nchw, Precision.INT8, false));
    Path lower = write("lower.yaml", model.replace("    pools:", "    image_binding: nchw\n    pools:"));
    assertEquals(ImageBinding.NCHW, ModelRegistry.load(lower, fleet).models().get(0).imageBinding());

    Path f = write("m1.yaml", model.replace("gpu-a100]", "gpu-t4]"));
    assertTrue(fail(() -> ModelRegistry.load(f, fleet)).startsWith(f + ": models[0].pools: pool 'gpu-t4' is not"
        + " defined in the fleet configuration (pools: gpu-h100, gpu-a100)"));
    Path g = write("m2.yaml", model.replace("    calibration: {data: data/cal.parquet, algorithm: entropy}\n", ""));
    assertTrue(fail(() -> ModelRegistry.load(g, fleet)).startsWith(g + ": models[0].calibration: missing"));
    Path h = write("m3.yaml", model.replace("algorithm: entropy", "algorithm: kl"));
    assertTrue(fail(() -> ModelRegistry.load(h, fleet)).startsWith(h + ": models[0].calibration.algorithm: unknown"));
    Path i = write("m4.yaml", model.replace("{INT8: 0.01}", "{FP16: 0.01}"));
    assertTrue(fail(() -> ModelRegistry.load(i, fleet)).startsWith(i + ": models[0].gates.max_top1_drop.FP16: FP16 is"
        + " not among"));
    Path j = write("m5.yaml", model.replace("precisions: [FP32, INT8]", "precisions: [FP32, INT4]"));
    assertTrue(fail(() -> ModelRegistry.load(j, fleet)).startsWith(j + ": models[0].precisions: Invalid precision"));
    Path k = write("m6.yaml", model.replace("    model: models/cnn\n", ""));
    assertTrue(fail(() -> ModelRegistry.load(k, fleet)).startsWith(k + ": models[0].model: missing"));
    Path l = write("m7.yaml", model.replace("    pools:", "    image_binding: NHWC\n    pools:"));
    assertEquals(l + ": models[0].image_binding: 'NHWC' is not one of: AS_SHAPED, CHANNEL_LAST (the default), NCHW",
        fail(() -> ModelRegistry.load(l, fleet)));
  }

  @Test
  void cpuPoolsTakeNoGpuFieldsAndBackendsAreNamed() throws IOException {
    Path f = write("fleet.yaml", POOLS + "  - {name: cpu, backend: onnxruntime, device: h100-80gb-hbm3.sm90}\n");
    assertTrue(fail(() -> FleetConfig.load(f)).startsWith(f + ": pools[2].device: device describes GPU pools"),
        fail(() -> FleetConfig.load(f)));
    Path g = write("fleet2.yaml", POOLS + "  - {name: cpu, backend: tvm}\n");
    assertTrue(fail(() -> FleetConfig.load(g)).startsWith(g + ": pools[2].backend: 'tvm' is not one of: tensorrt or"
        + " onnxruntime"), fail(() -> FleetConfig.load(g)));
    Pool cpu = FleetConfig.load(write("fleet3.yaml", POOLS + "  - {name: cpu, backend: onnxruntime}\n")).pool("cpu")
        .orElseThrow();
    assertEquals(Pool.Backend.ONNXRUNTIME, cpu.backend());
  }

  @Test
  void gpuPoolsCarryTheirSparkResourceRequest() throws IOException {
    Path f = write("fleet.yaml", POOLS.replace("tensorrt: 10.6.0\n  - name: gpu-a100", "tensorrt: 10.6.0\n"
        + "    resource_vendor: nvidia.com\n    gpus_per_executor: 2\n    discovery_script: /opt/d.sh\n"
        + "    executor_cores: 8\n  - name: gpu-a100"));
    Pool h100 = FleetConfig.load(f).pool("gpu-h100").orElseThrow();
    org.apache.spark.resource.ResourceProfile p = FleetBuildJob.profile(h100);
    org.apache.spark.resource.ExecutorResourceRequest gpu = p.executorResourcesJMap().get("gpu-h100");
    assertEquals("nvidia.com", gpu.vendor());
    assertEquals(2, gpu.amount());
    assertEquals("/opt/d.sh", gpu.discoveryScript());
    assertEquals(1.0, p.taskResourcesJMap().get("gpu-h100").amount());
    assertEquals(4.0, p.taskResourcesJMap().get("cpus").amount(), "the executor's cores shared by its GPUs' tasks");
    Path g = write("fleet2.yaml", POOLS + "  - {name: cpu, backend: onnxruntime, gpus_per_executor: 2}\n");
    assertTrue(fail(() -> FleetConfig.load(g)).startsWith(g + ": pools[2].gpus_per_executor: gpus_per_executor"
        + " describes GPU pools"), fail(() -> FleetConfig.load(g)));
  }

  @Test
  void invalidYamlIsOneLine() throws IOException {
    Path f = write("bad.yaml", "pools: [\n  - name: x\n");
    String m = fail(() -> FleetConfig.load(f));
    assertTrue(m.startsWith(f + ": not valid YAML"), m);
    assertTrue(!m.contains("\n"), m);
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  private static String fail(org.junit.jupiter.api.function.Executable e) {
    return assertThrows(TrtfleetException.class, e).getMessage();
  }
}
