package io.trtfleet.quantize;

import io.trtfleet.TrtfleetException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** The calibrators a user can choose by name. */
public enum CalibrationAlgorithm {
  ENTROPY, MINMAX, PERCENTILE, MSE;

  public Calibrator calibrator(double percentile) {
    return switch (this) {
      case ENTROPY -> new EntropyCalibrator();
      case MINMAX -> new MinMaxCalibrator();
      case PERCENTILE -> new PercentileCalibrator(percentile);
      case MSE -> new MseCalibrator();
    };
  }

  /** All four, for the report's comparison marks. */
  public static List<Calibrator> all(double percentile) {
    return Arrays.stream(values()).map(a -> a.calibrator(percentile)).toList();
  }

  public static CalibrationAlgorithm parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT).replace("-", ""));
    } catch (IllegalArgumentException e) {
      throw new TrtfleetException("unknown calibration algorithm '" + name + "': use one of "
          + Arrays.stream(values()).map(v -> v.name().toLowerCase(java.util.Locale.ROOT))
              .collect(Collectors.joining(", ")), e);
    }
  }
}
