package io.trtfleet.calibrationdata.samples;

import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.SavedModel;

/**
 * Writes the inference-only SavedModel: a fresh graph holding just the forward pass (no loss,
 * gradients or optimizer state), whose variables are restored by name from the training
 * checkpoint and then saved into {@code variables/}.
 */
final class ServingExport {

  private ServingExport() {}

  static void export(Path trainingCheckpoint, Path exportDir) throws IOException {
    try (Graph graph = new Graph()) {
      FashionCnn net = FashionCnn.build(Ops.create(graph), new RestoredVariables());
      Signature signature = Signature.builder()
          .key(SavedModelAccuracy.SIGNATURE)
          .input(FashionCnn.INPUT, net.images())
          .output(FashionCnn.LOGITS, net.logits())
          .output(FashionCnn.PROBABILITIES, net.probabilities())
          .build();
      Files.createDirectories(exportDir);
      try (Session session = new Session(graph)) {
        // Restoring counts as initialization in TF Java, so the zero initializers never run.
        session.restore(trainingCheckpoint.toString());
        SavedModelBundle.exporter(exportDir.toString())
            .withTags("serve")
            .withSession(session)
            .withSignature(signature)
            .export();
      }
    }
    rewriteDeterministically(exportDir.resolve("saved_model.pb"));
  }

  /**
   * TF serializes node attributes from hash maps, so the same graph gives differently ordered
   * bytes on each run; re-encoding with sorted map entries makes re-runs byte-identical, which
   * keeps the committed file's diffs meaningful.
   */
  static void rewriteDeterministically(Path savedModelPb) throws IOException {
    SavedModel model = SavedModel.parseFrom(Files.readAllBytes(savedModelPb));
    try (OutputStream out = Files.newOutputStream(savedModelPb)) {
      CodedOutputStream coded = CodedOutputStream.newInstance(out);
      coded.useDeterministicSerialization();
      model.writeTo(coded);
      coded.flush();
    }
  }
}
