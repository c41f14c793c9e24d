package io.trtfleet.calibrationdata.samples;

import io.trtfleet.testing.Datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.proto.NodeDef;

/** Checks the committed sample model in samples/fashion-mnist-cnn. */
class FashionMnistSampleModelTest {

  /** Surefire runs in the module directory. */
  private static final Path SAMPLE = Path.of("samples/fashion-mnist-cnn");
  private static final Path SAVED_MODEL = SAMPLE.resolve("saved_model");
  private static final double MIN_ACCURACY = 0.88;
  private static final long MAX_BYTES = 2L * 1024 * 1024;

  @Test
  void reachesTargetAccuracyOnFirst2000TestImages() throws IOException {
    FashionMnist test = FashionMnist.load(Datasets.fashionMnist(), FashionMnist.Split.TEST).first(2000);

    double accuracy = SavedModelAccuracy.topOne(SAVED_MODEL, test);

    assertTrue(accuracy >= MIN_ACCURACY, "top-1 accuracy " + accuracy + " < " + MIN_ACCURACY);
  }

  @Test
  void servingGraphHasNoTrainingOps() {
    try (SavedModelBundle bundle = SavedModelBundle.load(SAVED_MODEL.toString(), "serve")) {
      Set<String> ops = bundle.metaGraphDef().getGraphDef().getNodeList().stream()
          .map(NodeDef::getOp).collect(Collectors.toSet());
      assertTrue(ops.containsAll(Set.of("Conv2D", "BiasAdd", "Relu", "MaxPool", "Reshape", "MatMul",
          "Softmax", "VariableV2")), ops.toString());
      for (String op : ops) {
        assertFalse(op.startsWith("Apply") || op.contains("Grad") || op.contains("CrossEntropy"),
            "training op " + op + " in the serving graph");
      }
      assertEquals(Set.of("images"), bundle.function("serving_default").signature().inputNames());
      assertTrue(bundle.function("serving_default").signature().outputNames().contains("probabilities"));
    }
  }

  @Test
  void isSmallAndReportsItsAccuracy() throws IOException {
    long bytes;
    try (Stream<Path> files = Files.walk(SAVED_MODEL)) {
      bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
    assertTrue(bytes <= MAX_BYTES, "saved_model is " + bytes + " bytes");

    JsonNode report = new ObjectMapper().readTree(SAMPLE.resolve("accuracy.json").toFile());
    assertEquals(10_000, report.get("testSamples").asInt());
    assertTrue(report.get("testTop1Accuracy").asDouble() >= MIN_ACCURACY, report.toString());
  }
}
