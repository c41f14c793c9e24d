package io.trtfleet.fleet;

import io.trtfleet.TrtfleetException;
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

  static ImportOptions importOptions(ModelSpec m) {
    if (m.modelUri().contains("://") && !m.modelUri().startsWith("file:")) {
      throw new TrtfleetException("model " + m.name() + ": " + m.modelUri() + " is not a local or shared path; the"
          + " fleet job imports SavedModels from paths the driver can read (copy it locally first)");
    }
    Path dir = Path.of(m.modelUri().startsWith("file:") ? java.net.URI.create(m.modelUri()).getPath() : m.modelUri());
    return ImportOptions.builder(dir).tags(m.tags()).signature(m.signature()).build();
  }

  /**
   * @param calibration the calibration cache text, digest and algorithm, or null when no target is INT8
   */
  static ModelInputs prepare(ModelSpec m, FleetPlan.Calibration calibration, String cacheText, Configuration conf) {
    ImportOptions options = importOptions(m);
    FrozenGraph graph = SavedModelImporter.importModel(options).graph();
    List<Verifier.Batch> heldOut = HeldOutSamples.load(m.validation().dataUri(), graph.signature(),
        m.validation().samples(), BATCH, conf);
    return new ModelInputs(m.name(), ModelPayload.of(graph), SourceModel.read(options), heldOut, cacheText,
        calibration == null ? null : calibration.key().digest(),
        calibration == null ? null : calibration.key().algorithm());
  }
}
