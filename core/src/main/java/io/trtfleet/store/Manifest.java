package io.trtfleet.store;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * The commit record of one build: readers trust only files a manifest lists, with their sha256 and size.
 * Written last (after every listed file is in place and verified), so its presence means the build is
 * complete. Serialized by {@link ManifestJson}.
 */
public record Manifest(int schema, String model, String modelDigest, @JsonAlias("trt_version") String backend, String deviceKey,
    String precision, String status, String signature, String calibrationDigest, String calibrationAlgorithm,
    JsonNode conversionOptions, String computeCapability, String gpuName, String driverVersion,
    List<Engine> engines, JsonNode validation, JsonNode benchmark, double buildSeconds, String trtfleetVersion,
    String created, String publishId, List<FileEntry> files) {

  /** 2: {@code backend} ({@code trt-10.6.0}) replaced 1's {@code trt_version} ({@code 10.6.0}); both are read. */
  public static final int SCHEMA = 2;
  /** Status of a build whose validation passed: the index points at the newest of these. */
  public static final String OK = "ok";

  public Manifest {
    backend = backend == null ? null : TargetKey.canonicalBackend(backend);
    conversionOptions = orNull(conversionOptions);
    validation = orNull(validation);
    benchmark = orNull(benchmark);
    engines = engines == null ? List.of() : List.copyOf(engines);
    files = files == null ? List.of() : List.copyOf(files);
  }

  public TargetKey key() {
    return new TargetKey(model, modelDigest, backend, deviceKey, precision);
  }

  public boolean good() {
    return OK.equals(status);
  }

  public Optional<FileEntry> file(String path) {
    return files.stream().filter(f -> f.path().equals(path)).findFirst();
  }

  /** One stored file: path relative to the build folder, content digest, length. */
  public record FileEntry(String path, String sha256, long size) {}

  /** One engine plan: its file (also in {@link #files}), the optimization profiles and precision it was built with. */
  public record Engine(String file, String sha256, long size, JsonNode profiles, String precision) {
    public Engine {
      profiles = orNull(profiles);
    }
  }

  /** JSON null reads back as a NullNode: one form for "absent", so a manifest equals its read-back. */
  static JsonNode orNull(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode() ? null : n;
  }
}
