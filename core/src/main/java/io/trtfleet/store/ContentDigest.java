package io.trtfleet.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.trtfleet.TreeDigest;
import io.trtfleet.TrtfleetException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;

/**
 * SHA-256 digests of build inputs, stable across machines: the same SavedModel directory, calibration
 * files or conversion options always give the same hex string, so an unchanged input maps to the same
 * {@link TargetKey} and a rerun finds the existing build instead of publishing a new one.
 */
public final class ContentDigest {

  private static final ObjectMapper CANONICAL =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private ContentDigest() {}

  /**
   * A SavedModel directory: every regular file in sorted relative-path order ('/' separators), each as
   * path, length and bytes. Timestamps and the directory's own location do not count.
   */
  public static String ofSavedModel(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new TrtfleetException("SavedModel directory " + dir + " does not exist or is not a directory");
    }
    if (!Files.isRegularFile(dir.resolve("saved_model.pb"))) {
      throw new TrtfleetException("no saved_model.pb in " + dir + ": point --model at a SavedModel directory");
    }
    return ofTree(dir);
  }

  /** Any local directory tree, as {@link #ofSavedModel} hashes it. */
  public static String ofTree(Path dir) {
    return TreeDigest.of(dir);
  }

  /** Calibration data files (or any file set): by file name then bytes, in name order. */
  public static String ofFiles(Collection<Path> files) {
    return TreeDigest.ofFiles(files.stream().map(f -> Map.entry(f.getFileName().toString(), f)).toList());
  }

  /** JSON (conversion options): object keys sorted at every level, so key order does not change the digest. */
  public static String ofJson(JsonNode json) {
    try {
      Object plain = CANONICAL.treeToValue(json, Object.class);
      return hex(CANONICAL.writeValueAsBytes(plain));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(sha256(bytes));
  }

  static byte[] sha256(byte[] bytes) {
    return sha256().digest(bytes);
  }

  static MessageDigest sha256() {
    return TreeDigest.sha256();
  }
}
