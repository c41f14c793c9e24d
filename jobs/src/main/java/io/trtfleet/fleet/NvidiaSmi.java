package io.trtfleet.fleet;

import io.trtfleet.TrtfleetException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** GPU index to name, from {@code nvidia-smi} (or the fake named by {@value #FAKE_ENV}, as the discovery script). */
public final class NvidiaSmi {

  public static final String FAKE_ENV = "TRTFLEET_FAKE_NVIDIA_SMI";

  private NvidiaSmi() {}

  public static Map<String, String> gpuNames() {
    return query(false);
  }

  /** As {@link #gpuNames()}, but none when this host has no nvidia-smi at all (no NVIDIA driver). */
  public static Map<String, String> gpuNamesIfInstalled() {
    return query(true);
  }

  private static Map<String, String> query(boolean absentMeansNone) {
    String smi = System.getenv().getOrDefault(FAKE_ENV, "nvidia-smi");
    ProcessBuilder pb = new ProcessBuilder(smi, "--query-gpu=index,name", "--format=csv,noheader")
        .redirectErrorStream(true);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      if (absentMeansNone) {
        return Map.of();  // no driver installed: this host has no NVIDIA GPUs
      }
      throw new TrtfleetException("cannot run " + smi + " (" + e.getMessage() + "): no NVIDIA driver on this host?", e);
    }
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new TrtfleetException(smi + " --query-gpu=index,name failed: " + out.strip());
      }
      Map<String, String> names = new LinkedHashMap<>();
      for (String line : out.split("\n")) {
        int comma = line.indexOf(',');
        if (comma > 0) {
          names.put(line.substring(0, comma).trim(), line.substring(comma + 1).trim());
        }
      }
      return names;
    } catch (IOException e) {
      throw new TrtfleetException("cannot read the output of " + smi + " (" + e.getMessage() + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + smi, e);
    }
  }
}
