package io.trtfleet.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Fake nvidia-smi and discovery wrappers for tests without GPUs. */
final class FakeGpus {

  static final Path ROOT = Path.of(System.getProperty("trtfleet.root",
      java.nio.file.Files.isDirectory(Path.of("calibration-data")) ? "." : "..")).toAbsolutePath().normalize();
  static final Path DISCOVER = ROOT.resolve("scripts/discover-gpus.sh");

  private FakeGpus() {}

  /** A script that answers {@code --query-gpu=index,name --format=csv,noheader} with these lines. */
  static Path nvidiaSmi(Path dir, String name, String... csvLines) throws IOException {
    return executable(dir.resolve(name), "#!/bin/sh\ncat <<'GPUS'\n" + String.join("\n", csvLines) + "\nGPUS\n");
  }

  /**
   * What spark.worker.resource.X.discoveryScript points at: discover-gpus.sh with this pool's arguments,
   * over a fake nvidia-smi (null: the real one).
   */
  static Path discoveryWrapper(Path dir, String regex, String resource, Path fakeSmi) throws IOException {
    return executable(dir.resolve("discover-" + resource + ".sh"), "#!/bin/sh\n"
        + (fakeSmi == null ? "" : "TRTFLEET_FAKE_NVIDIA_SMI=" + fakeSmi + " ") + "exec " + DISCOVER + " '" + regex
        + "' " + resource + "\n");
  }

  static Path executable(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }
}
