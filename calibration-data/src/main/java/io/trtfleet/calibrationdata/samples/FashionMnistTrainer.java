package io.trtfleet.calibrationdata.samples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.tensorflow.TensorFlow;

/**
 * Trains the sample Fashion-MNIST CNN and writes {@code OUT/saved_model} (inference only) and
 * {@code OUT/accuracy.json}, whose accuracy is measured on all 10,000 test images through the
 * exported SavedModel. See {@link TrainerOptions#USAGE} for the arguments.
 */
public final class FashionMnistTrainer {

  private FashionMnistTrainer() {}

  public static void main(String[] args) throws IOException {
    TrainerOptions options;
    try {
      options = TrainerOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    FashionMnist train = FashionMnist.load(options.data(), FashionMnist.Split.TRAIN)
        .first(options.trainLimit());
    FashionMnist test = FashionMnist.load(options.data(), FashionMnist.Split.TEST);
    System.out.printf("TensorFlow %s, %d training and %d test images%n",
        TensorFlow.version(), train.size(), test.size());

    Path savedModel = options.out().resolve("saved_model");
    Path work = Files.createTempDirectory("fashion-mnist-training");
    double seconds;
    try {
      Path checkpoint = work.resolve("variables");
      long start = System.nanoTime();
      CnnTraining.train(train, test, options, checkpoint);
      seconds = (System.nanoTime() - start) / 1e9;
      deleteRecursively(savedModel); // no stale checkpoint shards from an earlier export
      ServingExport.export(checkpoint, savedModel);
    } finally {
      deleteRecursively(work);
    }

    double accuracy = SavedModelAccuracy.topOne(savedModel, test);
    AccuracyReport report = new AccuracyReport(options.seed(), options.epochs(),
        options.batchSize(), options.learningRate(), train.size(), test.size(), accuracy,
        Math.round(seconds * 10) / 10.0, "saved_model (serving_default, all t10k images)",
        TensorFlow.version(), AccuracyReport.installedTensorflowJavaVersion(), options.threads());
    report.write(options.out().resolve("accuracy.json"));
    System.out.printf("exported %s: test top-1 accuracy %.4f, trained in %.1f s%n",
        savedModel, accuracy, seconds);
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
