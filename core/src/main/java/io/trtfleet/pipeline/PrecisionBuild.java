package io.trtfleet.pipeline;

import io.trtfleet.Precision;
import io.trtfleet.TrtfleetException;
import io.trtfleet.artifact.ConvertedSavedModel;
import io.trtfleet.artifact.TfTrtSavedModelWriter;
import io.trtfleet.artifact.TritonRepositoryWriter;
import io.trtfleet.artifact.TrtEngineOpSettings;
import io.trtfleet.convert.ConversionOptions;
import io.trtfleet.convert.ConversionResult;
import io.trtfleet.convert.ConvertedSegment;
import io.trtfleet.convert.OnnxSegmentConverter;
import io.trtfleet.convert.OptimizationProfile;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.quantize.CalibrationTable;
import io.trtfleet.segment.Segment;
import io.trtfleet.segment.SegmentedGraph;
import io.trtfleet.segment.Segmenter;
import io.trtfleet.tensorrt.EngineArtifact;
import io.trtfleet.tensorrt.EngineBenchmark;
import io.trtfleet.verify.AccuracyGate;
import io.trtfleet.verify.Verifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The build of one model at one precision on one backend, what {@code trtfleet build} runs per precision
 * and what a fleet target runs: segment (TensorRT segments, TensorFlow fallback), convert each segment to
 * ONNX, build it, validate it against FP32 TensorFlow on held-out samples, benchmark it, and write the
 * converted SavedModel in TF-TRT's layout (engines that passed as assets; the full-model plan and Triton
 * entry when one engine computes the whole signature). Writes into a folder that must not hold an earlier
 * build; prints a line per segment.
 */
public final class PrecisionBuild {

  private final ModelUnderBuild model;
  private final SegmentBackend backend;
  private final BuildSettings settings;
  private final PrintWriter log;

  public PrecisionBuild(ModelUnderBuild model, SegmentBackend backend, BuildSettings settings, PrintWriter log) {
    this.model = model;
    this.backend = backend;
    this.settings = settings;
    this.log = log;
  }

  /**
   * @param calibration INT8 scales; needed when {@code precision} is quantized
   * @param heldOut validation samples (inputs by signature key, optional labels); empty: no validation
   * @param gate what validation must meet for the build to be published
   */
  public BuildOutcome run(Precision precision, CalibrationTable calibration, List<Verifier.Batch> heldOut,
      AccuracyGate gate, Path dir) {
    if (precision.quantized() && calibration == null) {
      throw new IllegalArgumentException(precision + " needs a calibration table");
    }
    backend.refusal(precision).ifPresent(why -> {
      throw new TrtfleetException(why);
    });
    TfTrtSavedModelWriter.requireFresh(dir);
    long t0 = System.nanoTime();
    ConversionOptions options = new ConversionOptions(precision, precision.quantized() ? calibration : null);
    SegmentedGraph segmented = new Segmenter(settings.segmenter().withPrecision(precision.tfTrtMode()))
        .segment(model.graph());
    List<Segment> segments = segmented.segments();
    List<SegmentOutcome> outcomes = new ArrayList<>();
    Map<String, EngineArtifact> passed = new LinkedHashMap<>();
    for (int i = 0; i < segments.size(); i++) {
      Segment segment = segments.get(i);
      SegmentOutcome o = segment(segment, options, calibration, heldOut, gate, dir, passed);
      outcomes.add(o);
      log.printf(Locale.ROOT, "[%d/%d] %s %s: %s%s%n", i + 1, segments.size(), segment.name(), precision,
          o.status(), o.reason().isEmpty() ? "" : " (" + o.reason() + ")");
      log.flush();
    }
    Written written = write(segmented, options, passed, dir);
    BuildOutcome outcome = new BuildOutcome(model.name(), precision, backend.key(), backend.deviceKey(),
        backend.description(), outcomes, segmented.convertedNodes(), segmented.convertibleNodes(), written.savedModel,
        written.atLoadTime, written.plan, written.triton, (System.nanoTime() - t0) / 1e9);
    log.println(outcome.summary());
    log.flush();
    return outcome;
  }

  private SegmentOutcome segment(Segment segment, ConversionOptions base, CalibrationTable calibration,
      List<Verifier.Batch> heldOut, AccuracyGate gate, Path dir, Map<String, EngineArtifact> passed) {
    List<OptimizationProfile> explicit = explicitProfiles(segment);
    Optional<ConversionOptions> options = explicit.isEmpty() ? strategyProfiles(base, segment) : Optional.of(base);
    if (options.isEmpty()) {
      return SegmentOutcome.notBuilt(segment.name(), SegmentOutcome.Status.NOT_CONVERTED, "input shapes "
          + segment.inputs().stream().map(t -> t.name() + t.shapeString()).toList() + " have unknown"
          + " dimensions besides the batch: give explicit profiles, or export the SavedModel with fixed sizes", List.of());
    }
    ConversionResult result = OnnxSegmentConverter.convert(model.graph(), segment, options.get());
    if (!result.isConverted()) {
      return SegmentOutcome.notBuilt(segment.name(), SegmentOutcome.Status.NOT_CONVERTED, result.fallbackReason(),
          List.of());
    }
    ConvertedSegment converted = profiled(result.converted(), explicit);
    List<String> files = new ArrayList<>();
    files.add(writeOnnx(dir, converted));
    BuiltSegment built;
    try {
      built = backend.build(converted, base.precision(), dir);
    } catch (SegmentBackend.SegmentBuildException e) {
      return SegmentOutcome.notBuilt(segment.name(), SegmentOutcome.Status.BUILD_FAILED, e.getMessage(), files);
    }
    built.files().forEach(f -> files.add(dir.relativize(f).toString()));
    SegmentOutcome.Validation validation = heldOut.isEmpty() ? null : validate(segment, built, heldOut, gate);
    MixedPrecision mixed = null;
    if (validation != null && !validation.violations().isEmpty() && base.precision().quantized()
        && settings.mixedPrecision() && !converted.report().quantized().isEmpty()) {
      MixedPrecisionFallback.Result r = new MixedPrecisionFallback(model, backend, settings.rankingSamples(), log)
          .run(segment, base.precision(), calibration, keep -> profiled(OnnxSegmentConverter.convert(model.graph(),
              segment, options.get().keepingFloat(keep)).orElseThrow(), explicit),
              String.join("; ", validation.violations()), heldOut, gate, dir);
      mixed = r.record();
      if (r.chosen() != null) {
        converted = r.chosen().converted();
        built = r.chosen().built();
        validation = r.chosen().validation();
        files.clear();
        files.add(writeOnnx(dir, converted));
        files.addAll(r.chosen().files());
      }
    }
    boolean ok = validation == null || validation.violations().isEmpty();
    EngineBenchmark benchmark = settings.benchmarkIterations() == 0 ? null
        : backend.benchmark(built, settings.batchSizes(), settings.benchmarkIterations()).orElse(null);
    if (ok) {
      built.engine().ifPresent(e -> passed.put(segment.name(), e));
    }
    String reason = !ok ? String.join("; ", validation.violations())
        + afterViolations(base.precision(), mixed)
        : mixed == null ? "" : "mixed precision: " + mixed.keptFloat().size() + " of " + mixed.ranking().size()
            + " quantized tensors kept in " + (base.precision().halfBetweenLayers() ? "FP16" : "FP32") + ": "
            + String.join(", ", mixed.keptFloat());
    return new SegmentOutcome(segment.name(), ok ? SegmentOutcome.Status.OK : SegmentOutcome.Status.FAILED_GATE,
        reason, files, built.buildSeconds(), built.engine().map(e -> e.metadata().planBytes()).orElse(0L), validation,
        benchmark, mixed);
  }

  /** What a failed gate's reason adds: that even all in float missed, or that the fallback was off. */
  private String afterViolations(Precision precision, MixedPrecision mixed) {
    if (mixed != null) {
      return "; with all " + mixed.ranking().size() + " quantized tensors in float it still misses";
    }
    return precision.quantized() && !settings.mixedPrecision() ? "; mixed precision is off: allow it to keep the most"
        + " sensitive tensors in float, or loosen the gate" : "";
  }

  /** A conversion with the explicit profiles when there are (else the strategy's it was converted with). */
  private static ConvertedSegment profiled(ConvertedSegment c, List<OptimizationProfile> explicit) {
    return explicit.isEmpty() ? c : c.withProfiles(explicit);
  }

  private SegmentOutcome.Validation validate(Segment segment, BuiltSegment built, List<Verifier.Batch> heldOut,
      AccuracyGate gate) {
    try (Verifier verifier = new Verifier(model.graph(), segment, backend.open(built), 0)) {
      heldOut.forEach(verifier::add);
      return SegmentOutcome.Validation.of(verifier.result(), gate);
    }
  }

  /** The explicit profiles, cut to the segment's inputs, when they name every one of them; else none. */
  private List<OptimizationProfile> explicitProfiles(Segment segment) {
    List<OptimizationProfile> out = new ArrayList<>();
    for (OptimizationProfile p : settings.profiles()) {
      Map<String, OptimizationProfile.Dims> dims = new LinkedHashMap<>();
      for (TensorSpec in : segment.inputs()) {
        if (!p.inputs().containsKey(in.name())) {
          return List.of();
        }
        dims.put(in.name(), p.inputs().get(in.name()));
      }
      out.add(new OptimizationProfile(dims));
    }
    return out;
  }

  /** The strategy's profiles over the batch sizes; empty when an input has an unknown dimension besides the batch. */
  private Optional<ConversionOptions> strategyProfiles(ConversionOptions base, Segment segment) {
    return settings.exampleShapes(segment).map(examples -> base.withProfiles(settings.profileStrategy(), examples));
  }

  private static String writeOnnx(Path dir, ConvertedSegment converted) {
    Path file = dir.resolve("onnx").resolve(converted.segment().name() + ".onnx");
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, converted.onnx());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    return dir.relativize(file).toString();
  }

  private record Written(String savedModel, List<String> atLoadTime, String plan, String triton) {}

  /** The converted SavedModel (TF-TRT layout) with the engines that passed, and the Triton entry. */
  private Written write(SegmentedGraph segmented, ConversionOptions options, Map<String, EngineArtifact> passed,
      Path dir) {
    ConvertedSavedModel saved = new TfTrtSavedModelWriter(TrtEngineOpSettings.of(options))
        .withTriton(TritonRepositoryWriter.Options.defaults())
        .write(model.source(), model.name(), segmented, passed, dir);
    return new Written(rel(dir, saved.savedModelDir()), saved.buildAtRuntime(),
        saved.fullModelPlan().map(p -> rel(dir, p)).orElse(null), saved.tritonModel().map(p -> rel(dir, p)).orElse(null));
  }

  private static String rel(Path dir, Path p) {
    return dir.relativize(p).toString();
  }
}
