package io.trtfleet.fleet;

import io.trtfleet.TrtfleetException;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Signature;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.reference.ReferenceRunner;
import io.trtfleet.spark.ModelPayload;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/** On the driver, once per model with work to do: import, validation batches, TensorFlow's FP32 top-1. */
final class ModelPreparation {

  private ModelPreparation() {}

  static ImportOptions importOptions(ModelSpec m) {
    if (m.modelUri().contains("://") && !m.modelUri().startsWith("file:")) {
      throw new TrtfleetException("model " + m.name() + ": " + m.modelUri() + " is not a local or shared path; the"
          + " fleet job imports SavedModels from paths the driver can read (copy it locally first)");
    }
    Path dir = Path.of(m.modelUri().startsWith("file:") ? java.net.URI.create(m.modelUri()).getPath() : m.modelUri());
    return ImportOptions.builder(dir).tags(m.tags()).signature(m.signature()).build();
  }

  static ModelInputs prepare(SparkSession spark, ModelSpec m, String calibrationCache) {
    FrozenGraph graph = SavedModelImporter.importModel(importOptions(m)).graph();
    List<ValidationBatch> batches = ValidationData.load(spark, m.validation().dataUri(), graph.signature(),
        m.validation().samples());
    Signature.Argument out = Measurement.classifierOutput(graph);
    long hits = 0;
    long rows = 0;
    try (ReferenceRunner tf = new ReferenceRunner(graph, 0)) {
      for (ValidationBatch b : batches) {
        hits += ValidationBatch.hits(tf.runSignature(b.byKey()).get(out.key()), b.labels());
        rows += b.rows();
      }
    }
    return new ModelInputs(m.name(), ModelPayload.of(graph), batches, (double) hits / rows, calibrationCache);
  }
}
