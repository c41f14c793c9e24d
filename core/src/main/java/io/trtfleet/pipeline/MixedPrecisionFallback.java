package io.trtfleet.pipeline;

import io.trtfleet.Precision;
import io.trtfleet.convert.ConvertedSegment;
import io.trtfleet.quantize.CalibrationTable;
import io.trtfleet.segment.Segment;
import io.trtfleet.sensitivity.SensitivityAnalysis;
import io.trtfleet.sensitivity.SensitivityReport;
import io.trtfleet.sensitivity.VariantRunner;
import io.trtfleet.verify.AccuracyGate;
import io.trtfleet.verify.RecordedReference;
import io.trtfleet.verify.Verifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * What a build does when a quantized segment misses its gate: rank the segment's quantized tensors by
 * sensitivity on the CPU (ONNX Runtime, the first {@code rankingSamples} held-out samples), then build
 * and validate on the build's own backend with the most sensitive kept in float until the gate passes
 * ({@link MixedPrecisionSearch}). Candidates are built in a scratch folder; only the chosen one's files
 * move into the build folder. TensorFlow runs once over the held-out samples for all of it.
 */
final class MixedPrecisionFallback {

  /** The build the search chose: its conversion, engine (or ONNX) with files in the build folder, validation. */
  record Chosen(ConvertedSegment converted, BuiltSegment built, List<String> files, SegmentOutcome.Validation validation) {}

  /** The search as the report tells it, and the build it chose (null when no number of float tensors passed). */
  record Result(MixedPrecision record, Chosen chosen) {}

  private final ModelUnderBuild model;
  private final SegmentBackend backend;
  private final int rankingSamples;
  private final PrintWriter log;

  MixedPrecisionFallback(ModelUnderBuild model, SegmentBackend backend, int rankingSamples, PrintWriter log) {
    this.model = model;
    this.backend = backend;
    this.rankingSamples = rankingSamples;
    this.log = log;
  }

  /**
   * @param convert the segment converted with the given tensors kept in float (profiles as the build's)
   * @param firstViolations why the fully quantized build missed the gate
   */
  Result run(Segment segment, Precision precision, CalibrationTable calibration,
      Function<java.util.Set<String>, ConvertedSegment> convert, String firstViolations, List<Verifier.Batch> heldOut,
      AccuracyGate gate, Path dir) {
    String floatType = precision.halfBetweenLayers() ? "FP16" : "FP32";
    RecordedReference reference = RecordedReference.record(model.graph(), List.of(segment), heldOut, 0);
    RecordedReference ranked = reference.limit(rankingSamples);
    say("%s missed its %s gate (%s): ranking its quantized tensors on %d samples (ONNX Runtime, CPU)", segment.name(),
        precision, firstViolations, ranked.samples());
    SensitivityReport sensitivity = new SensitivityAnalysis(precision, calibration, gate, false, VariantRunner.onnxRuntime(0))
        .run(model.name(), model.graph(), List.of(segment), ranked, line -> say("%s", line));
    List<String> ranking = sensitivity.segments().isEmpty() ? List.of() : sensitivity.segments().get(0).ranking();
    try (ScratchFolder folder = ScratchFolder.create("trtfleet-mixed-precision-", "the mixed-precision search")) {
      Path scratch = folder.path();
      List<MixedPrecision.Attempt> attempts = new ArrayList<>();
      Map<Integer, Chosen> built = new HashMap<>();
      int k = MixedPrecisionSearch.smallestPassing(ranking.size(), n -> {
        Chosen c = attempt(segment, precision, convert, ranking.subList(0, n), reference, gate, scratch.resolve("k" + n),
            attempts);
        built.put(n, c);
        return c != null && c.validation().violations().isEmpty();
      });
      if (k < 0) {
        say("%s: even with all %d quantized tensors in %s it misses the gate", segment.name(), ranking.size(), floatType);
        return new Result(new MixedPrecision(ranking, List.of(), firstViolations, attempts), null);
      }
      Chosen c = built.get(k);
      say("%s: %d of %d quantized tensors kept in %s pass the gate: %s", segment.name(), k, ranking.size(), floatType,
          String.join(", ", ranking.subList(0, k)));
      return new Result(new MixedPrecision(ranking, ranking.subList(0, k), firstViolations, attempts),
          moveInto(c, scratch.resolve("k" + k), dir));
    }
  }

  /** Builds and validates one candidate; a build that fails is an attempt that did not pass. */
  private Chosen attempt(Segment segment, Precision precision, Function<java.util.Set<String>, ConvertedSegment> convert,
      List<String> keep, RecordedReference reference, AccuracyGate gate, Path dir, List<MixedPrecision.Attempt> attempts) {
    ConvertedSegment converted = convert.apply(new LinkedHashSet<>(keep));
    BuiltSegment built;
    try {
      built = backend.build(converted, precision, dir);
    } catch (SegmentBackend.SegmentBuildException e) {
      attempts.add(new MixedPrecision.Attempt(keep.size(), false, "build failed: " + e.getMessage()));
      say("  %d in float: build failed: %s", keep.size(), e.getMessage());
      return null;
    }
    SegmentOutcome.Validation v = SegmentOutcome.Validation.of(reference.verify(Map.of(segment, backend.open(built))),
        gate);
    String detail = v.violations().isEmpty() ? String.format(Locale.ROOT, "relative RMS error %.3g",
        v.outputs().values().stream().mapToDouble(o -> o.relativeRmsError()).max().orElse(0))
        : String.join("; ", v.violations());
    attempts.add(new MixedPrecision.Attempt(keep.size(), v.violations().isEmpty(), detail));
    say("  %d in float: %s (%s)", keep.size(), v.violations().isEmpty() ? "passes" : "misses the gate", detail);
    return new Chosen(converted, built, List.of(), v);
  }

  /** The chosen candidate's files, moved from its scratch folder to the same places in the build folder. */
  private static Chosen moveInto(Chosen c, Path from, Path dir) {
    List<String> files = new ArrayList<>();
    try {
      for (Path f : c.built().files()) {
        Path to = dir.resolve(from.relativize(f).toString());
        Files.createDirectories(to.getParent());
        Files.move(f, to, StandardCopyOption.REPLACE_EXISTING);
        files.add(dir.relativize(to).toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move the chosen mixed-precision build into " + dir, e);
    }
    return new Chosen(c.converted(), c.built(), files, c.validation());
  }

  private void say(String format, Object... args) {
    log.printf(Locale.ROOT, "  mixed precision: " + format + "%n", args);
    log.flush();
  }
}
