package io.trtfleet.store;

import com.fasterxml.jackson.annotation.JsonAlias;
import java.time.Instant;

/**
 * One line of a model's index.json: for a (device key, backend, precision), the newest good
 * build (or the newest build when none passed validation): its digest, manifest path relative to the
 * store root, creation time and status.
 */
public record IndexEntry(String model, String deviceKey, @JsonAlias("trt_version") String backend, String precision, String modelDigest,
    String manifest, String created, String status) {

  public IndexEntry {
    backend = backend == null ? null : TargetKey.canonicalBackend(backend);
  }

  static IndexEntry of(Manifest m, String manifestPath) {
    return new IndexEntry(m.model(), m.deviceKey(), m.backend(), m.precision(), m.modelDigest(), manifestPath,
        m.created(), m.status());
  }

  /** The (device, backend, precision) slot this entry fills. */
  String slot() {
    return deviceKey + "|" + backend + "|" + precision;
  }

  boolean good() {
    return Manifest.OK.equals(status);
  }

  /** Whether {@code other} should replace this entry: good beats not good, then newer beats older. */
  boolean supersededBy(IndexEntry other) {
    if (good() != other.good()) {
      return other.good();
    }
    return !Instant.parse(other.created).isBefore(Instant.parse(created));
  }

  public String shortDigest() {
    return modelDigest.substring(0, Math.min(12, modelDigest.length()));
  }
}
