package io.trtfleet.calibrationdata.samples;

import io.trtfleet.testing.Datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTrainerTest {

  @TempDir Path tmp;

  @Test
  void parsesOptions() {
    TrainerOptions options = TrainerOptions.parse(new String[] {
        "--data", "/d", "--out", "o", "--epochs", "3", "--seed", "7", "--batch", "128",
        "--learning-rate", "0.002", "--train-limit", "100", "--threads", "2"});
    assertEquals(new TrainerOptions(Path.of("/d"), Path.of("o"), 3, 7, 128, 0.002f, 100, 2), options);

    TrainerOptions defaults = TrainerOptions.parse(new String[0]);
    assertEquals(FashionMnist.DEFAULT_DIR, defaults.data());
    assertEquals(42, defaults.seed());
  }

  @Test
  void rejectsBadOptions() {
    assertThrows(IllegalArgumentException.class, () -> TrainerOptions.parse(new String[] {"--epochs"}));
    assertThrows(IllegalArgumentException.class, () -> TrainerOptions.parse(new String[] {"--epochs", "0"}));
    assertThrows(IllegalArgumentException.class, () -> TrainerOptions.parse(new String[] {"--nope", "1"}));
  }

  /** A tiny run, twice: the exported weights and graph must come out byte-identical. */
  @Test
  void shortTrainingIsReproducible() throws IOException {
    Datasets.fashionMnist();  // the trainer reads it from its default folder
    Path first = train(tmp.resolve("first"));
    Path second = train(tmp.resolve("second"));
    for (String file : new String[] {"saved_model/saved_model.pb",
        "saved_model/variables/variables.data-00000-of-00001", "saved_model/variables/variables.index"}) {
      assertArrayEquals(Files.readAllBytes(first.resolve(file)), Files.readAllBytes(second.resolve(file)), file);
    }
    assertTrue(Files.isRegularFile(first.resolve("accuracy.json")));
  }

  private static Path train(Path out) throws IOException {
    FashionMnistTrainer.main(new String[] {"--epochs", "1", "--train-limit", "640", "--out", out.toString()});
    return out;
  }
}
