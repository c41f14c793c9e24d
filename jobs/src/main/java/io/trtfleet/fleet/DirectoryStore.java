package io.trtfleet.fleet;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.trtfleet.FileTrees;
import io.trtfleet.calibrate.CalibrationWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;

/**
 * A store in a local (or shared, NFS) folder, standing in for {@code io.trtfleet.publish.ArtifactStore}
 * until it is merged:
 * <pre>
 *   engines/&lt;model&gt;/&lt;device&gt;/&lt;trt&gt;/&lt;precision&gt;/&lt;content digest&gt;/result.json + files
 *   calibrations/&lt;model&gt;/&lt;calibration digest&gt;/calibration/calibration.cache, .json, .html
 *   runs/&lt;run id&gt;/report.json, report.html
 * </pre>
 */
public final class DirectoryStore implements PublishedTargets, CalibrationCache {

  private static final long serialVersionUID = 1L;
  static final String RESULT = "result.json";
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final String root;  // a String: Path is not Serializable and tasks carry the store

  public DirectoryStore(Path root) {
    this.root = root.toAbsolutePath().normalize().toString();
  }

  public Path root() {
    return Path.of(root);
  }

  Path targetDir(FleetTargetKey key) {
    return root().resolve("engines").resolve(key.path()).resolve(key.contentDigest());
  }

  @Override
  public Optional<TargetResult> published(FleetTargetKey key) {
    Path result = targetDir(key).resolve(RESULT);
    if (!Files.isRegularFile(result)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(result.toFile(), TargetResult.class));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read published result " + result, e);
    }
  }

  /** Copies the files into a hidden sibling, writes result.json, then renames: readers see all or nothing. */
  @Override
  public void publish(FleetTargetKey key, TargetResult result, Path files) {
    Path target = targetDir(key);
    Path staging = target.resolveSibling("." + target.getFileName() + "-" + UUID.randomUUID());
    try {
      Files.createDirectories(staging);
      if (files != null && Files.isDirectory(files)) {
        try (var s = Files.list(files)) {
          for (Path f : s.toList()) {
            if (Files.isRegularFile(f)) {
              Files.copy(f, staging.resolve(f.getFileName().toString()));
            }
          }
        }
      }
      JSON.writeValue(staging.resolve(RESULT).toFile(), result);
      try {
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException raced) {
        // Another attempt of the same task published first (speculation, retry): same key, same content.
        if (!Files.isRegularFile(target.resolve(RESULT))) {
          throw raced;
        }
        FileTrees.deleteTree(staging);
      }
    } catch (IOException e) {
      try {
        FileTrees.deleteTree(staging);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw new UncheckedIOException("cannot publish " + key + " to " + target, e);
    }
  }

  @Override
  public Optional<String> calibration(CalibrationKey key) {
    Path cache = calibrationDir(key).resolve("calibration").resolve(CalibrationWriter.CACHE);
    try {
      return Files.isRegularFile(cache) ? Optional.of(Files.readString(cache)) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read calibration " + cache, e);
    }
  }

  @Override
  public Path calibrationDir(CalibrationKey key) {
    return root().resolve("calibrations").resolve(key.model()).resolve(key.digest());
  }

  public Path runDir(String runId) {
    return root().resolve("runs").resolve(runId);
  }
}
