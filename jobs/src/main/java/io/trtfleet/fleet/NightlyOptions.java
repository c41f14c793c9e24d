package io.trtfleet.fleet;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What a nightly run is asked to do.
 *
 * @param store the run's own folder: calibrations, run reports
 * @param publishTo the artifact store engines are published to (file://, s3a://, hdfs://...)
 */
public record NightlyOptions(Path fleet, Path models, Path store, java.net.URI publishTo, String runId) {

  public NightlyOptions {
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(models, "models");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(publishTo, "publishTo");
    Objects.requireNonNull(runId, "runId");
    if (!runId.matches("[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException("run id '" + runId + "' must be letters, digits, '.', '-' or '_'");
    }
  }

  public static String newRunId() {
    return java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
        .format(java.time.LocalDateTime.now(java.time.ZoneOffset.UTC));
  }
}
