package io.trtfleet.calibrationdata;

import io.trtfleet.testing.Datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trtfleet.calibrationdata.samples.FashionMnist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** The committed Fashion-MNIST calibration and validation sets (samples/fashion-mnist). */
class FashionMnistSampleSetsTest {

  /** Surefire runs in the module directory. */
  private static final Path SAMPLES = Path.of("samples/fashion-mnist");
  private static final Path MODEL = Path.of("samples/fashion-mnist-cnn/saved_model");
  private static final long MAX_BYTES = 2L * 1024 * 1024;

  @ParameterizedTest
  @CsvSource({"calibration.parquet, calibration", "validation.parquet, validation"})
  void setsAreSmallBalancedPixelScaledAndTheSampleModelClassifiesThem(String file, String split) throws IOException {
    Path path = SAMPLES.resolve(file);
    assertTrue(Files.size(path) <= MAX_BYTES, path + " is " + Files.size(path) + " bytes");
    List<GenericRecord> rows = TestFiles.records(path);
    assertEquals(2000, rows.size());

    float[] images = new float[rows.size() * FashionMnist.PIXELS];
    int[] labels = new int[rows.size()];
    Map<Integer, Integer> classes = new TreeMap<>();
    for (int i = 0; i < rows.size(); i++) {
      float[] px = TestFiles.floats(rows.get(i), "images");
      assertEquals(FashionMnist.PIXELS, px.length);
      for (float v : px) {
        // Every value is some byte b scaled exactly as the model's preprocessing: b / 255f.
        assertEquals(Math.round(v * 255f) / 255f, v);
      }
      System.arraycopy(px, 0, images, i * FashionMnist.PIXELS, px.length);
      labels[i] = (Integer) rows.get(i).get("label");
      classes.merge(labels[i], 1, Integer::sum);
      assertEquals(split, rows.get(i).get("split").toString());
    }
    assertEquals(10, classes.size());
    classes.values().forEach(n -> assertEquals(200, n, "stratified: 200 per class"));

    double accuracy = topOne(images, labels);
    assertTrue(accuracy >= 0.88, file + ": sample model top-1 " + accuracy);
  }

  @ParameterizedTest
  @CsvSource({"calibration.parquet, TRAIN", "validation.parquet, TEST"})
  void rowsAreTheStratifiedSeed42ImagesOfTheDataset(String file, FashionMnist.Split split) throws IOException {
    FashionMnist data = FashionMnist.load(Datasets.fashionMnist(), split);
    int[] labels = new int[data.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = data.label(i);
    }
    int[] picked = Sampling.stratified(labels, 2000, 42);
    List<GenericRecord> rows = TestFiles.records(SAMPLES.resolve(file));
    float[] expected = new float[FashionMnist.PIXELS];
    for (int i = 0; i < picked.length; i++) {
      data.copyImage(picked[i], expected, 0);
      float[] actual = TestFiles.floats(rows.get(i), "images");
      for (int k = 0; k < expected.length; k++) {
        assertEquals(Float.floatToIntBits(expected[k]), Float.floatToIntBits(actual[k]), file + " row " + i);
      }
      assertEquals(data.label(picked[i]), rows.get(i).get("label"));
    }
    JsonNode meta = new ObjectMapper().readTree(TestFiles.footer(SAMPLES.resolve(file)).getFileMetaData()
        .getKeyValueMetaData().get(CalibrationSetWriter.METADATA_KEY));
    assertEquals(42, meta.get("source").get("seed").asInt());
    assertEquals("label", meta.get("source").get("stratify_by").asText());
  }

  private static double topOne(float[] images, int[] labels) {
    int n = labels.length;
    float[] probabilities = new float[n * FashionMnist.CLASSES];
    try (SavedModelBundle bundle = SavedModelBundle.load(MODEL.toString(), "serve");
        TFloat32 input = TFloat32.tensorOf(Shape.of(n, FashionMnist.ROWS, FashionMnist.COLS, 1),
            DataBuffers.of(images, true, false));
        Result result = bundle.function("serving_default").call(Map.of("images", input))) {
      ((TFloat32) result.get("probabilities").orElseThrow()).copyTo(DataBuffers.of(probabilities, false, false));
    }
    int correct = 0;
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int c = 1; c < FashionMnist.CLASSES; c++) {
        if (probabilities[i * FashionMnist.CLASSES + c] > probabilities[i * FashionMnist.CLASSES + best]) {
          best = c;
        }
      }
      correct += best == labels[i] ? 1 : 0;
    }
    return (double) correct / n;
  }
}
