package io.trtfleet.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The real SavedModels in ../shared/fixtures (written by TensorFlow) and the repository's samples. */
public final class Fixtures {

  private Fixtures() {}

  /** {@code tf-serving-testdata/<name>/00000123}; skips the test when the fixtures are not checked out. */
  public static Path servingModel(String name) {
    String root = System.getProperty("trtfleet.fixtures", "../../shared/fixtures");
    Path dir = Path.of(root, "tf-serving-testdata", name, "00000123");
    assumeTrue(Files.isDirectory(dir), "fixture " + dir + " not found: run the tests from a checkout"
        + " with shared/ beside it (or set -Dtrtfleet.fixtures)");
    return dir;
  }

  /**
   * The public SavedModels of {@code zoo/} (one folder per model, {@code saved_model/} and {@code SOURCE.txt}
   * in each), sorted by name; skips the test when the fixtures are not checked out.
   */
  public static java.util.List<Path> zooModels() {
    Path zoo = Path.of(System.getProperty("trtfleet.fixtures", "../../shared/fixtures"), "zoo");
    assumeTrue(Files.isDirectory(zoo), "zoo " + zoo + " not found: run the tests from a checkout with shared/"
        + " beside it (or set -Dtrtfleet.fixtures)");
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
