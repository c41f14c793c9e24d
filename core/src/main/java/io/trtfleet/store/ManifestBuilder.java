package io.trtfleet.store;

import io.trtfleet.store.Manifest.Engine;
import io.trtfleet.store.Manifest.FileEntry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Turns a publication and what staging verified into the manifest to commit. */
final class ManifestBuilder {

  private ManifestBuilder() {}

  static Manifest build(TargetKey key, Publication pub, List<FileEntry> staged, String publishId) {
    Map<String, FileEntry> byPath = staged.stream().collect(Collectors.toMap(FileEntry::path, Function.identity()));
    List<Engine> engines = pub.engines().stream().map(e -> {
      FileEntry f = byPath.get(e.file());
      return new Engine(e.file(), f.sha256(), f.size(), e.profiles(),
          e.precision() == null ? key.precision() : e.precision());
    }).toList();
    return new Manifest(Manifest.SCHEMA, key.model(), key.modelDigest(), key.backend(), key.deviceKey(),
        key.precision(), pub.status(), pub.signature(), pub.calibrationDigest(), pub.calibrationAlgorithm(),
        pub.conversionOptions(), pub.computeCapability(), pub.gpuName(), pub.driverVersion(), engines,
        pub.validation(), pub.benchmark(), pub.buildSeconds(), version(), Instant.now().toString(), publishId,
        staged);
  }

  static String version() {
    String v = ManifestBuilder.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
