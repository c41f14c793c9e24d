package io.trtfleet.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trtfleet.store.ArtifactStore;
import io.trtfleet.store.Manifest;
import io.trtfleet.store.Publication;
import io.trtfleet.store.TargetKey;
import io.trtfleet.tensorrt.EngineFiles;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Publishes a build folder written by {@link PrecisionBuild} to the artifact store under its key, with a
 * manifest that says what the build is: every engine (segment plans and the full-model plan) with its
 * profiles and precision, the signature, calibration, conversion options, the GPU, compute capability and
 * driver it was built on, the validation (with the mixed precision a segment was given, if any) and
 * benchmark results. The build report goes in as
 * {@code report/build-report.json}. Only a build whose outcome is {@link BuildOutcome#ok()} is published.
 */
public final class BuildPublisher {

  /**
   * What the build folder does not say itself.
   *
   * @param calibrationDigest content digest of the calibration (null unless quantized)
   * @param conversionOptions the settings that shaped the build (free-form JSON)
   * @param extra more validation fields a door records (the fleet's target result), or null
   */
  public record Provenance(String signature, String calibrationDigest, String calibrationAlgorithm,
      JsonNode conversionOptions, Optional<SegmentBackend.Device> device, ObjectNode extra) {}

  private BuildPublisher() {}

  public static Manifest publish(ArtifactStore store, TargetKey key, Path dir, BuildOutcome outcome,
      Provenance provenance) {
    if (!outcome.ok()) {
      throw new IllegalStateException(outcome.summary() + ": a failed build is not published");
    }
    if (!key.backend().equals(outcome.backend()) || !key.deviceKey().equals(outcome.deviceKey())) {
      throw new IllegalStateException("build by " + outcome.backend() + " on " + outcome.deviceKey()
          + " cannot be published under " + key + ": a key says what produced its artifact");
    }
    BuildReport.write(dir.resolve("report").resolve("build-report.json"), Map.of("model", outcome.model()),
        java.util.List.of(outcome));
    ObjectNode validation = BuildReport.JSON.createObjectNode();
    validation.set("segments", BuildReport.JSON.valueToTree(outcome.segments().stream()
        .filter(s -> s.validation() != null).map(s -> Map.of("segment", s.segment(), "validation", s.validation()))
        .toList()));
    if (!outcome.keptFloat().isEmpty()) {
      ObjectNode mixed = validation.putObject("mixed_precision");
      mixed.put("quantized_type", outcome.precision().quantizedType().name());
      mixed.put("float_type", outcome.precision().halfBetweenLayers() ? "FP16" : "FP32");
      mixed.set("kept_float", BuildReport.JSON.valueToTree(outcome.keptFloat()));
    }
    if (provenance.extra() != null) {
      validation.setAll(provenance.extra());
    }
    ObjectNode benchmark = BuildReport.JSON.createObjectNode();
    outcome.segments().stream().filter(s -> s.benchmark() != null)
        .forEach(s -> benchmark.set(s.segment(), BuildReport.JSON.valueToTree(s.benchmark())));
    Publication.Builder p = Publication.fromDirectory(dir).signature(provenance.signature())
        .calibration(provenance.calibrationDigest(), provenance.calibrationAlgorithm())
        .conversionOptions(provenance.conversionOptions()).validation(validation)
        .benchmark(benchmark.isEmpty() ? null : benchmark).buildSeconds(outcome.seconds());
    provenance.device().ifPresent(d -> p.device(d.gpuName(), d.computeCapability(), d.driverVersion()));
    JsonNode onlyProfiles = null;
    for (SegmentOutcome s : outcome.segments()) {
      for (String f : s.files().stream().filter(f -> f.endsWith(".plan")).toList()) {
        JsonNode profiles = EngineFiles.profiles(dir.resolve(f)).orElse(null);
        p.engine(f, profiles, outcome.precision().name());
        onlyProfiles = profiles;
      }
    }
    if (outcome.fullModelPlan() != null) {
      // The whole model is one engine: the segment's plan, under the name Triton serves it by.
      p.engine(outcome.fullModelPlan(), EngineFiles.profiles(dir.resolve(outcome.fullModelPlan())).orElse(onlyProfiles),
          outcome.precision().name());
    }
    return store.publish(key, p.build());
  }
}
