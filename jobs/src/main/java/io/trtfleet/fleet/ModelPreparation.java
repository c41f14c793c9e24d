package io.trtfleet.fleet;

import io.trtfleet.artifact.SourceModel;
import io.trtfleet.calibrationdata.HeldOutSamples;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.spark.ModelPayload;
import io.trtfleet.verify.Verifier;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/** On the driver, once per model with work to do: import, and the held-out samples validation runs on. */
final class ModelPreparation {

  /** Samples per validation batch. */
  static final int BATCH = 100;

  private ModelPreparation() {}

  /** @param dir the SavedModel's local folder ({@link SavedModelCache}) */
  static ImportOptions importOptions(ModelSpec m, Path dir) {
    return ImportOptions.builder(dir).tags(m.tags()).signature(m.signature()).build();
  }

  /**
   * @param calibration the calibration cache text, digest and algorithm, or null when no target is INT8
   */
  static ModelInputs prepare(ModelSpec m, Path dir, FleetPlan.Calibration calibration, String cacheText,
      Configuration conf) {
    ImportOptions options = importOptions(m, dir);
    FrozenGraph graph = SavedModelImporter.importModel(options).graph();
    List<Verifier.Batch> heldOut = HeldOutSamples.load(m.validation().dataUri(), graph,
        m.validation().samples(), BATCH, conf);
    return new ModelInputs(m.name(), ModelPayload.of(graph), SourceModel.read(options), heldOut, cacheText,
        calibration == null ? null : calibration.key().digest(),
        calibration == null ? null : calibration.key().algorithm());
  }
}
