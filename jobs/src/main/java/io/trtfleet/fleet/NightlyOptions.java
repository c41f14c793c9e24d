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
    // A run id names a folder under <store>/runs: no separators, no dots-only names, nothing hidden.
    if (!runId.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}") || runId.contains("..")) {
      throw new IllegalArgumentException("run id '" + runId + "' must start with a letter or digit and hold only"
          + " letters, digits, '.', '-' or '_' (no '..', at most 100 characters)");
    }
  }

  /** UTC time to the millisecond: runs started together still get their own ids. */
  public static String newRunId() {
    return java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")
        .format(java.time.LocalDateTime.now(java.time.ZoneOffset.UTC));
  }
}
