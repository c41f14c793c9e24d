package io.trtfleet.fleet;

import io.trtfleet.artifact.SourceModel;
import io.trtfleet.pipeline.ModelUnderBuild;
import io.trtfleet.quantize.CalibrationTable;
import io.trtfleet.spark.ModelPayload;
import io.trtfleet.verify.Verifier;
import java.io.Serializable;
import java.util.List;

/**
 * What build tasks of one model need, prepared once on the driver and broadcast, so executors never
 * read the SavedModel's folder: the frozen graph, what the converted SavedModel keeps of the source, the
 * held-out samples, and for INT8 the calibration cache text with its digest and algorithm (else null).
 */
public record ModelInputs(String model, ModelPayload graph, SourceModel source, List<Verifier.Batch> heldOut,
    String calibrationCache, String calibrationDigest, String calibrationAlgorithm) implements Serializable {

  public ModelInputs {
    heldOut = List.copyOf(heldOut);
  }

  public ModelUnderBuild modelUnderBuild() {
    return new ModelUnderBuild(model, source, graph.graph());
  }

  public CalibrationTable calibrationTable() {
    if (calibrationCache == null) {
      throw new IllegalStateException("model " + model + " has no calibration: INT8 targets need one");
    }
    return CalibrationTable.parse(calibrationCache.lines().toList(), "calibration of " + model);
  }
}
