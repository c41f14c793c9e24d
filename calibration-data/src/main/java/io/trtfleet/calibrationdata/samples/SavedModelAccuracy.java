package io.trtfleet.calibrationdata.samples;

import java.nio.file.Path;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Top-1 accuracy of an exported classifier, measured through its {@code serving_default}
 * signature exactly as a consumer of the SavedModel would call it.
 */
public final class SavedModelAccuracy {

  public static final String SIGNATURE = "serving_default";
  private static final int BATCH = 500;

  private SavedModelAccuracy() {}

  public static double topOne(Path savedModelDir, FashionMnist data) {
    int[] order = Batches.identityOrder(data.size());
    int correct = 0;
    try (SavedModelBundle bundle = SavedModelBundle.load(savedModelDir.toString(), "serve")) {
      for (int from = 0; from < data.size(); from += BATCH) {
        int size = Math.min(BATCH, data.size() - from);
        float[] probabilities = new float[size * FashionMnist.CLASSES];
        try (TFloat32 images = Batches.images(data, order, from, size);
            Result result = bundle.function(SIGNATURE).call(Map.of(FashionCnn.INPUT, images))) {
          TFloat32 output = (TFloat32) result.get(FashionCnn.PROBABILITIES).orElseThrow(
              () -> new IllegalStateException(savedModelDir + " has no output " + FashionCnn.PROBABILITIES));
          output.copyTo(DataBuffers.of(probabilities, false, false));
        }
        correct += Batches.countCorrect(probabilities, data, from, size);
      }
    }
    return (double) correct / data.size();
  }
}
