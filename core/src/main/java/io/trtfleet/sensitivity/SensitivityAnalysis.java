package io.trtfleet.sensitivity;

import io.trtfleet.Precision;
import io.trtfleet.Progress;
import io.trtfleet.convert.ConversionOptions;
import io.trtfleet.convert.ConversionResult;
import io.trtfleet.convert.ConvertedSegment;
import io.trtfleet.convert.OnnxSegmentConverter;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.quantize.CalibrationTable;
import io.trtfleet.segment.Segment;
import io.trtfleet.verify.AccuracyGate;
import io.trtfleet.verify.RecordedReference;
import io.trtfleet.verify.Verifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Which quantized tensors cost the accuracy: per segment, the conversion with every tensor quantized, with
 * none, and for each tensor the conversion that quantizes only it and (both ways) the one that leaves only
 * it in float, each run on the same held-out batches and compared with FP32 TensorFlow. TensorFlow runs
 * once ({@link RecordedReference}); each variant costs one conversion and one pass of its {@link
 * VariantRunner} over the batches: ONNX Runtime on the CPU, or a TensorRT engine built of it. Segments are
 * compared on what TensorFlow feeds them, as the build's gates are.
 *
 * @param bothWays also measure "only this tensor in float" (the ranking needs only "only this quantized")
 * @param runner what runs each variant
 */
public record SensitivityAnalysis(Precision precision, CalibrationTable calibration, AccuracyGate gate,
    boolean bothWays, VariantRunner runner) {

  public SensitivityAnalysis {
    if (!precision.quantized()) {
      throw new IllegalArgumentException("sensitivity is about quantized tensors: " + precision + " quantizes none;"
          + " use INT8 or FP8");
    }
    if (calibration == null || gate == null || runner == null) {
      throw new IllegalArgumentException("a sensitivity analysis needs a calibration table, a gate and a runner");
    }
  }

  /** Analyzes {@code segments} of {@code graph} on {@code batches}; a line per stage goes to {@code log}. */
  public SensitivityReport run(String model, FrozenGraph graph, List<Segment> segments, List<Verifier.Batch> batches,
      Consumer<String> log) {
    return run(model, graph, segments, null, batches, log);
  }

  /** Analyzes {@code segments} on the batches TensorFlow's values were recorded for (none run again). */
  public SensitivityReport run(String model, FrozenGraph graph, List<Segment> segments, RecordedReference recorded,
      Consumer<String> log) {
    return run(model, graph, segments, recorded, recorded.batches(), log);
  }

  private SensitivityReport run(String model, FrozenGraph graph, List<Segment> segments, RecordedReference recorded,
      List<Verifier.Batch> batches, Consumer<String> log) {
    ConversionOptions base = ConversionOptions.quantized(precision, calibration);
    Map<Segment, List<String>> quantized = new LinkedHashMap<>();
    Map<String, String> skipped = new LinkedHashMap<>();
    for (Segment s : segments) {
      ConversionResult r = OnnxSegmentConverter.convert(graph, s, base);
      if (!r.isConverted()) {
        skipped.put(s.name(), "stays in TensorFlow: " + r.fallbackReason());
      } else if (r.converted().report().quantized().isEmpty()) {
        skipped.put(s.name(), "quantizes no tensor");
      } else {
        quantized.put(s, r.converted().report().quantized());
      }
    }
    long variants = quantized.values().stream().mapToLong(t -> 2 + (bothWays ? 2L : 1L) * t.size()).sum();
    log.accept(String.format(java.util.Locale.ROOT, "sensitivity of %d %s tensor(s) in %d segment(s): %d conversions,"
        + " each run by %s on %d samples", quantized.values().stream().mapToInt(List::size).sum(), precision,
        quantized.size(), variants, runner.description(), batches.stream().mapToLong(Verifier.Batch::rows).sum()));
    RecordedReference reference = recorded != null ? recorded
        : RecordedReference.record(graph, List.copyOf(quantized.keySet()), batches, 0);
    Progress progress = Progress.start("sensitivity", "conversions", variants, log);
    List<SegmentSensitivity> out = new ArrayList<>();
    boolean labelled = batches.stream().anyMatch(b -> b.labels() != null);
    quantized.forEach((segment, tensors) -> {
      Variants v = new Variants(graph, segment, base, reference, progress);
      Score all = v.score(Set.of());
      Score none = v.score(Set.copyOf(tensors));
      List<TensorSensitivity> rows = new ArrayList<>();
      for (String t : tensors) {
        Set<String> others = new HashSet<>(tensors);
        others.remove(t);
        rows.add(new TensorSensitivity(t, segment.name(), readers(graph, segment, t), v.score(others),
            bothWays ? v.score(Set.of(t)) : null));
      }
      rows.sort(SensitivityReport.MOST_SENSITIVE_FIRST);
      out.add(new SegmentSensitivity(segment.name(), all, none, rows));
    });
    progress.finish();
    return new SensitivityReport(model, precision, reference.samples(), labelled, gate, runner.description(), out,
        skipped);
  }

  /** The segment's nodes that read {@code tensor}. */
  static List<String> readers(FrozenGraph graph, Segment segment, String tensor) {
    TensorRef ref = TensorRef.parse(tensor);
    Set<String> inSegment = Set.copyOf(segment.nodes());
    return graph.nodes().stream().filter(n -> inSegment.contains(n.name()) && n.dataInputs().contains(ref))
        .map(Node::name).toList();
  }

  /** Conversions of one segment that keep different tensors in float, scored against the recording. */
  private final class Variants {
    private final FrozenGraph graph;
    private final Segment segment;
    private final ConversionOptions base;
    private final RecordedReference reference;
    private final Progress progress;

    Variants(FrozenGraph graph, Segment segment, ConversionOptions base, RecordedReference reference,
        Progress progress) {
      this.graph = graph;
      this.segment = segment;
      this.base = base;
      this.reference = reference;
      this.progress = progress;
    }

    Score score(Set<String> keepFloat) {
      ConvertedSegment variant = OnnxSegmentConverter.convert(graph, segment, base.keepingFloat(keepFloat)).orElseThrow();
      Verifier.Result r = reference.verify(Map.of(segment, runner.open(variant)));
      progress.add(1);
      return Score.of(r, gate);
    }
  }
}
