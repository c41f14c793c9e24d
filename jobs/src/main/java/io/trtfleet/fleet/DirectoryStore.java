package io.trtfleet.fleet;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.trtfleet.TrtfleetException;
import io.trtfleet.quantize.CalibrationWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The fleet's own folder (local or shared, NFS): calibrations by content key and run reports. Engines are
 * published to the artifact store ({@link ArtifactStoreTargets}).
 * <pre>
 *   calibrations/&lt;model&gt;/&lt;calibration digest&gt;/calibration/calibration.cache, .json, .html
 *   runs/&lt;run id&gt;/report.json, report.html
 * </pre>
 */
public final class DirectoryStore {

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Path root;

  public DirectoryStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  /**
   * The TensorRT calibration cache text stored under this key, if any: a nightly run recalibrates only
   * when the model or the calibration data changed.
   */
  public Optional<String> calibration(CalibrationKey key) {
    Path cache = calibrationDir(key).resolve("calibration").resolve(CalibrationWriter.CACHE);
    try {
      return Files.isRegularFile(cache) ? Optional.of(Files.readString(cache)) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read calibration " + cache, e);
    }
  }

  /** The folder a calibration for this key is written to (CalibrateJob writes {@code <it>/calibration/}). */
  public Path calibrationDir(CalibrationKey key) {
    return root().resolve("calibrations").resolve(key.model()).resolve(key.digest());
  }

  public Path runDir(String runId) {
    return root().resolve("runs").resolve(runId);
  }

  /**
   * Takes a run id for this run: its folder is created here, atomically, so two runs can never share an
   * id and an earlier run's report is never overwritten.
   */
  public Path claimRun(String runId) {
    Path dir = runDir(runId);
    try {
      Files.createDirectories(dir.getParent());
      return Files.createDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      throw new TrtfleetException("run id '" + runId + "' was used by an earlier run (" + dir + "): choose another"
          + " --run-id, or leave it out for a new one", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the run folder " + dir, e);
    }
  }
}
