package io.trtfleet.calibrationdata.samples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Properties;
import org.tensorflow.TensorFlow;

/** What {@code accuracy.json} records next to the sample SavedModel. */
record AccuracyReport(
    long seed,
    int epochs,
    int batchSize,
    float learningRate,
    int trainSamples,
    int testSamples,
    double testTop1Accuracy,
    double trainingSeconds,
    String evaluatedOn,
    String tensorflowVersion,
    String tensorflowJavaVersion,
    int intraOpThreads) {

  void write(Path file) throws IOException {
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), this);
  }

  /** The TF Java artifact version, from the jar's Maven metadata (the manifest has none). */
  static String installedTensorflowJavaVersion() {
    try (InputStream in = TensorFlow.class.getResourceAsStream(
        "/META-INF/maven/org.tensorflow/tensorflow-core-api/pom.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
