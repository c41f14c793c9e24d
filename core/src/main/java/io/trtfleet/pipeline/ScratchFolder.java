package io.trtfleet.pipeline;

import io.trtfleet.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A temporary folder for candidate builds, deleted with everything in it on close. Used with
 * try-with-resources, a failed delete after a failed build stays attached to the build's error.
 */
final class ScratchFolder implements AutoCloseable {

  private final Path path;
  private final String purpose;

  private ScratchFolder(Path path, String purpose) {
    this.path = path;
    this.purpose = purpose;
  }

  /** @param purpose what it is for, as messages say it: {@code the mixed-precision search} */
  static ScratchFolder create(String prefix, String purpose) {
    try {
      return new ScratchFolder(Files.createTempDirectory(prefix), purpose);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a scratch folder for " + purpose, e);
    }
  }

  Path path() {
    return path;
  }

  @Override
  public void close() {
    try {
      FileTrees.deleteTree(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the scratch folder " + path + " of " + purpose, e);
    }
  }
}
