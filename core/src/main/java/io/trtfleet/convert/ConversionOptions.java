package io.trtfleet.convert;

import io.trtfleet.calibrate.CalibrationTable;
import java.util.Objects;

/**
 * How to convert: the precision policy and, for the INT8 policies, the calibration table whose
 * per-tensor scales become Q/DQ nodes.
 */
public record ConversionOptions(PrecisionPolicy precision, CalibrationTable calibration) {

  public ConversionOptions {
    Objects.requireNonNull(precision, "precision");
    if (precision.quantized() && calibration == null) {
      throw new IllegalArgumentException("Cannot convert to " + precision + " without a calibration table");
    }
  }

  public static ConversionOptions fp32() {
    return new ConversionOptions(PrecisionPolicy.FP32, null);
  }

  public static ConversionOptions of(PrecisionPolicy precision) {
    return new ConversionOptions(precision, null);
  }

  public static ConversionOptions int8(PrecisionPolicy precision, CalibrationTable table) {
    return new ConversionOptions(precision, table);
  }
}
