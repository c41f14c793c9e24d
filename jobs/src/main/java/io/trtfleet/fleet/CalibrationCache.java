package io.trtfleet.fleet;

import java.nio.file.Path;
import java.util.Optional;

/** Calibrations by key: a nightly run recalibrates only when the model or the calibration data changed. */
public interface CalibrationCache {

  /** The TensorRT calibration cache text stored under this key, if any. */
  Optional<String> calibration(CalibrationKey key);

  /** The folder a calibration for this key is written to (CalibrateJob writes {@code <it>/calibration/}). */
  Path calibrationDir(CalibrationKey key);
}
