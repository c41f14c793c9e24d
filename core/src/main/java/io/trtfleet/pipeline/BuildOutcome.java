package io.trtfleet.pipeline;

import io.trtfleet.Precision;
import io.trtfleet.tensorrt.EngineRunner;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model built at one precision on one backend: every segment's outcome and what was written for the
 * whole model (the converted SavedModel in TF-TRT's layout, the full-model plan and Triton entry when one
 * engine computes the whole signature). Paths are relative to the build folder.
 *
 * @param convertedNodes graph nodes inside TensorRT segments, of {@code convertibleNodes}
 * @param savedModel the TF-TRT SavedModel folder, when written
 * @param enginesAtLoadTime segments whose engines TF-TRT builds when the SavedModel loads
 */
public record BuildOutcome(String model, Precision precision, String backend, String deviceKey,
    String backendDescription, List<SegmentOutcome> segments, int convertedNodes, int convertibleNodes,
    String savedModel, List<String> enginesAtLoadTime, String fullModelPlan, String tritonModel, double seconds) {

  public BuildOutcome {
    segments = List.copyOf(segments);
    enginesAtLoadTime = List.copyOf(enginesAtLoadTime);
  }

  /** Publishable: no segment failed its build or its gate (segments the converter left run in TensorFlow). */
  public boolean ok() {
    return segments.stream().noneMatch(s -> s.status() == SegmentOutcome.Status.BUILD_FAILED
        || s.status() == SegmentOutcome.Status.FAILED_GATE);
  }

  public boolean anyFailedGate() {
    return segments.stream().anyMatch(s -> s.status() == SegmentOutcome.Status.FAILED_GATE);
  }

  /** Segments with a serialized engine (none on the ONNX Runtime backend). */
  public long engines() {
    return segments.stream().filter(s -> s.status() == SegmentOutcome.Status.OK && s.planBytes() > 0).count();
  }

  public double convertedPercent() {
    return 100.0 * convertedNodes / Math.max(1, convertibleNodes);
  }

  /** [TensorFlow FP32 top-1, this build's top-1] of the first classifier output validated with labels. */
  public Optional<double[]> top1() {
    return segments.stream().filter(s -> s.validation() != null).flatMap(s -> s.validation().accuracy().values()
        .stream()).findFirst();
  }

  /**
   * Samples per second of the slowest engine at the largest benchmarked batch: what the engines together
   * can sustain, leaving out the segments that run in TensorFlow. Empty when nothing was timed.
   */
  public Optional<Double> throughput() {
    return segments.stream().filter(s -> s.benchmark() != null && !s.benchmark().throughput().isEmpty())
        .map(s -> s.benchmark().throughput().get(s.benchmark().throughput().size() - 1))
        .map(EngineRunner.BenchmarkResult::samplesPerSecond).min(Double::compare);
  }

  /** Segment to the tensors its build reads in float after its quantized build missed the gate (the mixed precision). */
  public Map<String, List<String>> keptFloat() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    segments.stream().filter(s -> s.mixedPrecision() != null && s.mixedPrecision().found())
        .forEach(s -> out.put(s.segment(), s.mixedPrecision().keptFloat()));
    return out;
  }

  /** One line for logs and the CLI: status, engines, conversion share, accuracy, mixed precision. */
  public String summary() {
    String acc = top1().map(t -> String.format(java.util.Locale.ROOT, ", top-1 %.4f (TensorFlow FP32 %.4f)", t[1],
        t[0])).orElse("");
    int kept = keptFloat().values().stream().mapToInt(List::size).sum();
    String mixed = kept == 0 ? "" : String.format(java.util.Locale.ROOT, ", mixed precision: %d quantized tensor(s)"
        + " kept in %s", kept, precision.halfBetweenLayers() ? "FP16" : "FP32");
    return String.format(java.util.Locale.ROOT, "%s %s on %s: %s, %d of %d segments with engines, %.1f%% of nodes"
        + " converted%s%s", model, precision, backendDescription, ok() ? "ok" : anyFailedGate() ? "FAILED gate"
        : "FAILED", engines(), segments.size(), convertedPercent(), acc, mixed);
  }
}
