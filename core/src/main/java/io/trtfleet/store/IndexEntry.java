package io.trtfleet.store;

import com.fasterxml.jackson.annotation.JsonAlias;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One published build as listings show it: model, device key, backend, precision, model digest,
 * manifest path relative to the store root, creation time and status. A listing shows, per (device key,
 * backend, precision), the newest good build (or the newest build when none passed validation).
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

  public TargetKey key() {
    return new TargetKey(model, modelDigest, backend, deviceKey, precision);
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

  /** One entry per slot, the best by {@link #supersededBy}; sorted by model, device, backend, precision. */
  static List<IndexEntry> bestPerSlot(Collection<IndexEntry> all) {
    Map<String, IndexEntry> bySlot = new LinkedHashMap<>();
    for (IndexEntry e : all) {
      bySlot.merge(e.model() + "|" + e.slot(), e, (a, b) -> a.supersededBy(b) ? b : a);
    }
    List<IndexEntry> out = new ArrayList<>(bySlot.values());
    out.sort(Comparator.comparing(IndexEntry::model).thenComparing(IndexEntry::deviceKey)
        .thenComparing(IndexEntry::backend).thenComparing(IndexEntry::precision));
    return out;
  }

  public String shortDigest() {
    return modelDigest.substring(0, Math.min(12, modelDigest.length()));
  }
}
