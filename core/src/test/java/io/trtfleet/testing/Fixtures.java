package io.trtfleet.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Real SavedModels written by TensorFlow: TF Serving's test models (bundled in
 * core/src/test/fixtures/tf-serving-testdata, Apache-2.0) and the repository's samples.
 */
public final class Fixtures {

  private Fixtures() {}

  /** {@code tf-serving-testdata/<name>/00000123} (another copy with -Dtrtfleet.fixtures=DIR). */
  public static Path servingModel(String name) {
    String root = System.getProperty("trtfleet.fixtures", repo("core/src/test/fixtures").toString());
    return existing(Path.of(root, "tf-serving-testdata", name, "00000123"));
  }

  /** The trained Fashion-MNIST sample CNN (calibration-data/samples/fashion-mnist-cnn/saved_model). */
  public static Path fashionMnistModel() {
    return existing(repo("calibration-data/samples/fashion-mnist-cnn/saved_model"));
  }

  /** The bundled Fashion-MNIST samples: {@code calibration.parquet} or {@code validation.parquet}. */
  public static Path fashionMnistSamples(String file) {
    return existing(repo("calibration-data/samples/fashion-mnist").resolve(file));
  }

  private static Path existing(Path p) {
    assertTrue(Files.exists(p), p + " is missing: it is part of the repository (run the tests from a whole checkout)");
    return p;
  }

  /**
   * The public SavedModels of {@code zoo/} (one folder per model, {@code saved_model/} and {@code SOURCE.txt}
   * in each), sorted by name; skips the test when the fixtures are not checked out.
   */
  public static java.util.List<Path> zooModels() {
    Path zoo = Path.of(System.getProperty("trtfleet.zoo", "../../shared/fixtures/zoo"));
    assumeTrue(Files.isDirectory(zoo), "zoo " + zoo + " not found: run the tests from a checkout with shared/"
        + " beside it (or set -Dtrtfleet.zoo)");
    try (Stream<Path> models = Files.list(zoo)) {
      return models.filter(m -> Files.isDirectory(m.resolve("saved_model"))).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A path inside the repository (e.g. calibration-data/samples/...). */
  public static Path repo(String relative) {
    return Path.of(System.getProperty("trtfleet.root", "..")).resolve(relative);
  }

  /** Copies a directory tree, so a test can damage the copy. */
  public static Path copyTree(Path from, Path to) {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
      return to;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
