package io.trtfleet.tensorrt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class TensorRtTest {

  @Test
  void driverVersionFromProprietaryAndOpenKernelModules() {
    assertEquals(Optional.of("580.65.06"), TensorRt.kernelModuleVersion(
        "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.65.06  Sun Jul 27 07:09:38 UTC 2025\nGCC version: gcc 12\n"));
    assertEquals(Optional.of("580.159.04"), TensorRt.kernelModuleVersion(
        "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.159.04  Release Build  (dvs-builder@U16)  Thu\n"));
    assertEquals(Optional.empty(), TensorRt.kernelModuleVersion("no driver here"));
  }
}
