package io.trtfleet.fleet;

import io.trtfleet.quantize.CalibrationTable;
import io.trtfleet.spark.ModelPayload;
import java.io.Serializable;
import java.util.List;

/**
 * What build tasks of one model need, prepared once on the driver and broadcast: the frozen graph, the
 * validation batches, TensorFlow's FP32 top-1 on them, and the calibration cache text for INT8 (or null).
 */
public record ModelInputs(String model, ModelPayload graph, List<ValidationBatch> validation, double referenceTop1,
    String calibrationCache) implements Serializable {

  public ModelInputs {
    validation = List.copyOf(validation);
  }

  public CalibrationTable calibrationTable() {
    if (calibrationCache == null) {
      throw new IllegalStateException("model " + model + " has no calibration: INT8 targets need one");
    }
    return CalibrationTable.parse(calibrationCache.lines().toList(), "calibration of " + model);
  }
}
