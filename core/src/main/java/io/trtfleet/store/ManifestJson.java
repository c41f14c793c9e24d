package io.trtfleet.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/** The JSON form of manifests and index files: snake_case keys, indented, unknown keys ignored (newer writers). */
final class ManifestJson {

  static final ObjectMapper MAPPER = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private ManifestJson() {}

  static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Parses and checks a manifest: a known schema, valid key parts, and file entries a reader can trust
   * to stay inside the build folder (paths as {@link Publication} allows them, 64-hex sha256, sizes).
   */
  static Manifest manifest(byte[] json) throws IOException {
    Manifest m;
    try {
      m = MAPPER.readValue(json, Manifest.class);
    } catch (JsonProcessingException e) {
      throw new IOException(e.getOriginalMessage(), e);  // without the source excerpt Jackson appends
    }
    if (m.schema() < 1 || m.schema() > Manifest.SCHEMA) {
      throw new IOException("manifest schema " + m.schema() + " is not 1.." + Manifest.SCHEMA
          + " (written by a newer trtfleet?)");
    }
    try {
      m.key();  // rejects a manifest whose key fields are not valid path segments
      Instant.parse(String.valueOf(m.created()));
      for (Manifest.FileEntry f : m.files()) {
        Publication.checkRelative(String.valueOf(f.path()));
        if (f.sha256() == null || !SHA256.matcher(f.sha256()).matches() || f.size() < 0) {
          throw new IllegalArgumentException("file entry " + f.path() + " has no valid sha256 and size");
        }
      }
      if (m.files().isEmpty()) {
        throw new IllegalArgumentException("it lists no files");
      }
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new IOException(e.getMessage(), e);
    }
    return m;
  }

  static <T> T read(byte[] json, Class<T> type) throws IOException {
    return MAPPER.readValue(json, type);
  }
}
