package io.trtfleet.cli;

import io.trtfleet.TrtfleetException;
import io.trtfleet.convert.ConversionOptions;
import io.trtfleet.Precision;
import io.trtfleet.quantize.CalibrationTable;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** --precision and --calibration, shared by export-onnx and verify. */
public final class ConversionOptionsMixin {

  @Option(names = "--precision", defaultValue = "FP32", paramLabel = "P",
      description = "FP32, FP16, INT8 (Q/DQ, FP16 between layers), INT8_FP32 or FP8 (E4M3 Q/DQ, FP16 between layers)"
          + " (default: ${DEFAULT-VALUE})")
  String precision;

  @Option(names = "--calibration", paramLabel = "FILE",
      description = "TensorRT calibration cache (trtfleet calibrate's calibration.cache); needed for INT8 and FP8")
  Path calibration;

  ConversionOptions options() {
    Precision p = Precision.parse(precision);
    if (p.quantized() && calibration == null) {
      throw new TrtfleetException("--precision " + p + " needs --calibration FILE (a calibration.cache written by"
          + " trtfleet calibrate or TensorRT)");
    }
    CalibrationTable table = calibration == null ? null : CalibrationTable.read(calibration);
    return new ConversionOptions(p, table);
  }
}
