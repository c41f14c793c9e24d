package io.trtfleet.spark;

import io.trtfleet.FileTrees;
import io.trtfleet.quantize.CalibrationResult;
import io.trtfleet.quantize.CalibrationWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/** Writes {@code <out>/calibration/} into a hidden sibling, then renames: --out never holds half a calibration. */
final class CalibrationPublisher {

  private CalibrationPublisher() {}

  static Path publish(CalibrationResult result, Path out) {
    Path target = out.resolve("calibration");
    Path staging = out.resolve(".calibration-" + UUID.randomUUID());
    try {
      Files.createDirectories(out);
      CalibrationWriter.write(result, staging);
      if (Files.exists(target)) {
        Path old = out.resolve(".calibration-old-" + UUID.randomUUID());
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        FileTrees.deleteTree(old);
      } else {
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      }
      return target;
    } catch (IOException e) {
      try {
        FileTrees.deleteTree(staging);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw new UncheckedIOException("cannot write the calibration to " + target, e);
    }
  }
}
