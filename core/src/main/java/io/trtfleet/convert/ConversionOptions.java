package io.trtfleet.convert;

import io.trtfleet.Precision;
import io.trtfleet.quantize.CalibrationTable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How to convert: the precision policy; for the quantized policies, the calibration table whose per-tensor
 * scales become Q/DQ nodes and the tensors to keep in float anyway (mixed precision: TensorFlow tensor
 * names, {@code node:0} or {@code node}); and the example input shapes (tensor name to shape) from which
 * the optimization profiles of the strategy are computed.
 */
public record ConversionOptions(Precision precision, CalibrationTable calibration,
    ProfileStrategy profileStrategy, List<Map<String, long[]>> exampleShapes, Set<String> keepFloat) {

  public ConversionOptions {
    Objects.requireNonNull(precision, "precision");
    Objects.requireNonNull(profileStrategy, "profileStrategy");
    if (precision.quantized() && calibration == null) {
      throw new IllegalArgumentException("Cannot convert to " + precision + " without a calibration table");
    }
    exampleShapes = List.copyOf(exampleShapes);
    keepFloat = Set.copyOf(keepFloat);
    if (!precision.quantized() && !keepFloat.isEmpty()) {
      throw new IllegalArgumentException(precision + " quantizes nothing, so no tensor can be kept in float: "
          + keepFloat);
    }
  }

  public ConversionOptions(Precision precision, CalibrationTable calibration) {
    this(precision, calibration, ProfileStrategy.RANGE, List.of(), Set.of());
  }

  public static ConversionOptions fp32() {
    return new ConversionOptions(Precision.FP32, null);
  }

  public static ConversionOptions of(Precision precision) {
    return new ConversionOptions(precision, null);
  }

  /** A quantized precision (INT8, INT8_FP32, FP8) with the calibration its scales come from. */
  public static ConversionOptions quantized(Precision precision, CalibrationTable table) {
    return new ConversionOptions(precision, table);
  }

  /** The same options with optimization profiles computed by {@code strategy} from example input shapes. */
  public ConversionOptions withProfiles(ProfileStrategy strategy, List<Map<String, long[]>> examples) {
    return new ConversionOptions(precision, calibration, strategy, examples, keepFloat);
  }

  /** The same options with these tensors read in float by the layers that would quantize them. */
  public ConversionOptions keepingFloat(Set<String> tensors) {
    return new ConversionOptions(precision, calibration, profileStrategy, exampleShapes, tensors);
  }
}
