package io.trtfleet.convert;

import io.trtfleet.Precision;
import io.trtfleet.quantize.CalibrationTable;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How to convert: the precision policy; for the INT8 policies, the calibration table whose per-tensor
 * scales become Q/DQ nodes; and the example input shapes (tensor name to shape) from which the
 * optimization profiles of the strategy are computed.
 */
public record ConversionOptions(Precision precision, CalibrationTable calibration,
    ProfileStrategy profileStrategy, List<Map<String, long[]>> exampleShapes) {

  public ConversionOptions {
    Objects.requireNonNull(precision, "precision");
    Objects.requireNonNull(profileStrategy, "profileStrategy");
    if (precision.quantized() && calibration == null) {
      throw new IllegalArgumentException("Cannot convert to " + precision + " without a calibration table");
    }
    exampleShapes = List.copyOf(exampleShapes);
  }

  public ConversionOptions(Precision precision, CalibrationTable calibration) {
    this(precision, calibration, ProfileStrategy.RANGE, List.of());
  }

  public static ConversionOptions fp32() {
    return new ConversionOptions(Precision.FP32, null);
  }

  public static ConversionOptions of(Precision precision) {
    return new ConversionOptions(precision, null);
  }

  public static ConversionOptions int8(Precision precision, CalibrationTable table) {
    return new ConversionOptions(precision, table);
  }

  /** The same options with optimization profiles computed by {@code strategy} from example input shapes. */
  public ConversionOptions withProfiles(ProfileStrategy strategy, List<Map<String, long[]>> examples) {
    return new ConversionOptions(precision, calibration, strategy, examples);
  }
}
