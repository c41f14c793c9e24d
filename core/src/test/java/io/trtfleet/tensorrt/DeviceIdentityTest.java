package io.trtfleet.tensorrt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.Precision;
import io.trtfleet.pipeline.TensorRtBackend;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class DeviceIdentityTest {

  @Test
  void keysAreStableAndReadable() {
    DeviceIdentity h100 = new DeviceIdentity("NVIDIA H100 80GB HBM3", 9, 0, 85_017_493_504L, 13000, 12060, 100600);
    assertEquals("h100-80gb-hbm3.sm90", h100.deviceKey());
    assertEquals("trt-10.6.0", h100.tensorRtKey());
    assertEquals(java.nio.file.Path.of("out/timing-cache/h100-80gb-hbm3.sm90.trt-10.6.0.cache"),
        h100.timingCacheIn(java.nio.file.Path.of("out/timing-cache")), "one timing cache per GPU type and TensorRT");
    assertEquals("9.0", h100.computeCapability());
    assertEquals("t4.sm75", new DeviceIdentity("Tesla T4", 7, 5, 16L << 30, 12020, 12060, 100600).deviceKey());
    assertEquals("a100-sxm4-40gb.sm80",
        new DeviceIdentity("NVIDIA A100-SXM4-40GB", 8, 0, 40L << 30, 12020, 12060, 110200).deviceKey());
    assertEquals("trt-11.2.0", DeviceIdentity.tensorRtKey(110200));
    assertEquals("12.6", DeviceIdentity.cudaVersion(12060));
  }

  @Test
  void fp8IsRefusedWithOneLineBelowComputeCapability89() {
    DeviceIdentity a100 = new DeviceIdentity("NVIDIA A100-SXM4-40GB", 8, 0, 40L << 30, 12020, 12060, 100600);
    DeviceIdentity l4 = new DeviceIdentity("NVIDIA L4", 8, 9, 24L << 30, 12020, 12060, 100600);
    DeviceIdentity h200 = new DeviceIdentity("NVIDIA H200", 9, 0, 141L << 30, 13000, 12060, 100600);
    DeviceIdentity t4 = new DeviceIdentity("Tesla T4", 7, 5, 16L << 30, 12020, 12060, 100600);
    String why = a100.refusal(Precision.FP8).orElseThrow();
    assertTrue(why.contains("FP8") && why.contains("NVIDIA A100-SXM4-40GB has 8.0") && why.contains("8.9")
        && !why.contains("\n"), why);
    assertTrue(t4.refusal(Precision.FP8).isPresent());
    assertEquals(Optional.empty(), l4.refusal(Precision.FP8), "Ada has FP8");
    assertEquals(Optional.empty(), h200.refusal(Precision.FP8), "Hopper has FP8");
    for (Precision p : new Precision[] {Precision.FP32, Precision.FP16, Precision.INT8, Precision.INT8_FP32}) {
      assertEquals(Optional.empty(), a100.refusal(p), p.name());
    }
    // The backend refuses before building anything (constructing it needs no GPU).
    assertEquals(a100.refusal(Precision.FP8), new TensorRtBackend(a100,
        EngineBuildConfig.builder("FP32").build(), false).refusal(Precision.FP8));
  }
}
