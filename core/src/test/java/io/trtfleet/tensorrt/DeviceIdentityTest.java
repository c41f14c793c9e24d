package io.trtfleet.tensorrt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DeviceIdentityTest {

  @Test
  void keysAreStableAndReadable() {
    DeviceIdentity h100 = new DeviceIdentity("NVIDIA H100 80GB HBM3", 9, 0, 85_017_493_504L, 13000, 12060, 100600);
    assertEquals("h100-80gb-hbm3.sm90", h100.deviceKey());
    assertEquals("trt-10.6.0", h100.tensorRtKey());
    assertEquals("9.0", h100.computeCapability());
    assertEquals("t4.sm75", new DeviceIdentity("Tesla T4", 7, 5, 16L << 30, 12020, 12060, 100600).deviceKey());
    assertEquals("a100-sxm4-40gb.sm80",
        new DeviceIdentity("NVIDIA A100-SXM4-40GB", 8, 0, 40L << 30, 12020, 12060, 110200).deviceKey());
    assertEquals("trt-11.2.0", DeviceIdentity.tensorRtKey(110200));
    assertEquals("12.6", DeviceIdentity.cudaVersion(12060));
  }
}
