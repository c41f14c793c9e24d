package io.trtfleet.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/discover-gpus.sh against a fake nvidia-smi, run as Spark runs it. */
class DiscoverGpusScriptTest {

  @TempDir
  Path dir;

  @Test
  void printsTheIndexesOfMatchingGpusInSparksFormat() throws Exception {
    Path smi = FakeGpus.nvidiaSmi(dir, "smi", "0, NVIDIA H100 80GB HBM3", "1, NVIDIA A100-SXM4-80GB",
        "2, NVIDIA H100 80GB HBM3");
    assertEquals("{\"name\":\"gpu-h100\",\"addresses\":[\"0\",\"2\"]}", run(smi, "H100", "gpu-h100").out);
    assertEquals("{\"name\":\"gpu-a100\",\"addresses\":[\"1\"]}", run(smi, "A100", "gpu-a100").out);
    assertEquals("{\"name\":\"gpu-t4\",\"addresses\":[]}", run(smi, "T4", "gpu-t4").out);
  }

  @Test
  void wrapperWithoutArgumentsWorksLikeSparkCallsIt() throws Exception {
    Path smi = FakeGpus.nvidiaSmi(dir, "smi", "0, NVIDIA H200");
    Path wrapper = FakeGpus.discoveryWrapper(dir, "H200", "gpu-h200", smi);
    Result r = exec(List.of(wrapper.toString()), null);
    assertEquals(0, r.rc);
    assertEquals("{\"name\":\"gpu-h200\",\"addresses\":[\"0\"]}", r.out);
  }

  @Test
  void refusesDottedResourceNamesAndReportsAFailingNvidiaSmi() throws Exception {
    Path smi = FakeGpus.nvidiaSmi(dir, "smi", "0, NVIDIA H100");
    Result dotted = run(smi, "H100", "gpu.h100");
    assertEquals(2, dotted.rc);
    assertTrue(dotted.err.contains("not a Spark resource name"), dotted.err);
    Path broken = FakeGpus.executable(dir.resolve("broken"), "#!/bin/sh\necho 'NVIDIA-SMI has failed' >&2\nexit 9\n");
    Result failed = run(broken, "H100", "gpu-h100");
    assertEquals(1, failed.rc);
    assertTrue(failed.err.contains("failed"), failed.err);
  }

  private record Result(int rc, String out, String err) {}

  private static Result run(Path smi, String regex, String resource) throws IOException, InterruptedException {
    return exec(List.of(FakeGpus.DISCOVER.toString(), regex, resource), smi);
  }

  private static Result exec(List<String> cmd, Path smi) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(cmd));
    if (smi != null) {
      pb.environment().put("TRTFLEET_FAKE_NVIDIA_SMI", smi.toString());
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    return new Result(p.waitFor(), out, err);
  }
}
