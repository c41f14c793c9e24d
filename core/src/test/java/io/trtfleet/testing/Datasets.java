package io.trtfleet.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Data sets installed on the machine, for the few tests that check the bundled samples against their
 * source. CI installs them (.ci/run) and there a missing one fails the test; elsewhere the test is
 * skipped with the reason printed ({@link SkipReporter}).
 */
public final class Datasets {

  /** Debian's dataset-fashion-mnist: the four gzip IDX files. */
  public static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

  private Datasets() {}

  /** The Fashion-MNIST IDX folder, or a skip (a failure in CI) when it is not installed. */
  public static Path fashionMnist() {
    if (!Files.isRegularFile(FASHION_MNIST.resolve("t10k-images-idx3-ubyte.gz"))) {
      String why = "Fashion-MNIST is not installed at " + FASHION_MNIST + ": apt-get install dataset-fashion-mnist";
      if (System.getenv("CI") != null) {
        fail(why + " (.ci/run installs it; CI must not skip this test)");
      }
      Assumptions.abort(why + " to run this check of the bundled samples against their source");
    }
    return FASHION_MNIST;
  }
}
