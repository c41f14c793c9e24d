package io.trtfleet.cli;

import io.trtfleet.TrtfleetException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The commands' --out: checked before any work, so a long run does not fail at its last step. */
final class OutputDirectory {

  private OutputDirectory() {}

  static void check(Path out) {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new TrtfleetException("--out " + out + " is a file: give a directory (it is created if missing)");
    }
  }
}
