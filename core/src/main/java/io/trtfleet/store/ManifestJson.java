package io.trtfleet.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The JSON form of manifests and index files: snake_case keys, indented, unknown keys ignored (newer writers). */
final class ManifestJson {

  static final ObjectMapper MAPPER = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private ManifestJson() {}

  static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Manifest manifest(byte[] json) throws IOException {
    Manifest m = MAPPER.readValue(json, Manifest.class);
    if (m.schema() < 1 || m.schema() > Manifest.SCHEMA) {
      throw new IOException("manifest schema " + m.schema() + " is not 1.." + Manifest.SCHEMA
          + " (written by a newer trtfleet?)");
    }
    m.key();  // rejects a manifest whose key fields are not valid path segments
    return m;
  }

  static <T> T read(byte[] json, Class<T> type) throws IOException {
    return MAPPER.readValue(json, type);
  }
}
