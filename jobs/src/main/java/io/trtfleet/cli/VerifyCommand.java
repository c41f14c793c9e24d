package io.trtfleet.cli;

import io.trtfleet.Precision;
import io.trtfleet.TrtfleetException;
import io.trtfleet.convert.ConversionOptions;
import io.trtfleet.convert.ConversionResult;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.segment.SegmentedGraph;
import io.trtfleet.segment.Segmenter;
import io.trtfleet.verify.OutputComparison;
import io.trtfleet.verify.SegmentVerification;
import io.trtfleet.verify.Verifier;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trtfleet verify}: segments any SavedModel, converts each TensorRT segment to ONNX and runs it in
 * ONNX Runtime on the tensors TensorFlow fed that segment during a native run of the whole model, on the
 * same samples. Prints per segment max |error| and relative RMS error, then per output. Exit 1 when an
 * output's relative RMS error exceeds the bound (1e-4 for FP32 by default; FP16/INT8 only report unless
 * {@code --max-relative-error} is given); one error line (exit 2) when TensorFlow cannot compute a
 * segment's tensors here.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Run the SavedModel (TensorFlow, FP32) and each of its converted TensorRT segments (ONNX Runtime,"
        + " CPU) on the same inputs; print per segment and per output max |error|, relative RMS error and top-1"
        + " agreement.")
public final class VerifyCommand implements Callable<Integer> {

  public static final double FP32_MAX_RELATIVE_ERROR = 1e-4;
  public static final int EXIT_TOO_FAR = 1;

  @Mixin
  ModelOptions model;

  @Mixin
  ConversionOptionsMixin conversion;

  @Mixin
  SegmenterOptionsMixin segmentation;

  @Mixin
  HeldOutDataOptions data;

  @Option(names = "--max-relative-error", paramLabel = "E",
      description = "fail when an output's relative RMS error exceeds E (default: 1e-4 for FP32, none otherwise)")
  Double maxRelativeError;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    ConversionOptions options = conversion.options();
    FrozenGraph graph = SavedModelImporter.importModel(model.importOptions()).graph();
    SegmentedGraph segmented = new Segmenter(segmentation.options(options.precision().tfTrtMode())).segment(graph);
    List<ConversionResult> conversions = SegmentVerification.convert(segmented, options);
    if (data.data == null) {
      throw new TrtfleetException("verify needs --data: held-out samples (a Parquet set) or random[:SEED]");
    }
    List<Verifier.Batch> batches = data.load(graph);
    Verifier.Result result = SegmentVerification.verify(graph, conversions, batches, 0);
    PrintWriter o = spec.commandLine().getOut();
    Double bound = maxRelativeError != null ? maxRelativeError
        : options.precision() == Precision.FP32 ? FP32_MAX_RELATIVE_ERROR : null;
    o.printf(Locale.ROOT, "Compared %d samples of %s: %d TensorRT segment(s) of %s (%.0f%% of %d nodes), %s ONNX"
        + " (ONNX Runtime, CPU) against TensorFlow FP32 on the tensors TensorFlow fed each segment%n",
        result.samples(), data.data, segmented.segments().size(), segmented.graph().signature().key(),
        100.0 * segmented.convertedNodes() / segmented.totalNodes(), segmented.totalNodes(), options.precision());
    if (conversions.isEmpty()) {
      o.println("  no TensorRT segment: TensorFlow ran the whole model natively on every sample; nothing to compare");
    }
    o.printf("  %-22s %6s %14s %14s  %s%n", "segment", "nodes", "max |error|", "rel RMS error", "status");
    for (ConversionResult r : conversions) {
      String name = r.segment().name();
      int nodes = segmented.ownedNodes(r.segment()).size();
      if (!r.isConverted()) {
        o.printf("  %-22s %6d %14s %14s  stays in TensorFlow: %s%n", name, nodes, "-", "-", r.fallbackReason());
      } else if (result.unverified().containsKey(name)) {
        o.printf("  %-22s %6d %14s %14s  not verified: %s%n", name, nodes, "-", "-", result.unverified().get(name));
      } else {
        double rel = result.relativeRmsError(name);
        o.printf(Locale.ROOT, "  %-22s %6d %14.4g %14.4g  %s%n", name, nodes, result.maxAbsError(name), rel,
            bound != null && !(rel <= bound) ? "TOO FAR" : "ok");
      }
    }
    boolean tooFar = false;
    if (!result.outputs().isEmpty()) {
      o.printf("  %-40s %14s %14s %14s%n", "output", "max |error|", "rel RMS error", "top-1 agree");
    }
    for (OutputComparison c : result.outputs().values()) {
      o.printf(Locale.ROOT, "  %-40s %14.4g %14.4g %14s%n", c.output(), c.maxAbsError(), c.relativeRmsError(),
          c.isClassifier() ? String.format(Locale.ROOT, "%.4f", c.top1Agreement()) : "-");
      tooFar |= bound != null && !(c.relativeRmsError() <= bound);
    }
    result.accuracy().forEach((k, acc) -> o.printf(Locale.ROOT, "  %s accuracy vs labels: TensorFlow %.4f, ONNX %.4f%n",
        k, acc[0], acc[1]));
    if (tooFar) {
      o.printf(Locale.ROOT, "FAILED: relative RMS error above %.3g%n", bound);
    }
    o.flush();
    if (!result.unverified().isEmpty()) {
      Map.Entry<String, String> first = result.unverified().entrySet().iterator().next();
      throw new TrtfleetException(result.unverified().size() + " of " + conversions.size() + " segment(s) of "
          + model.model + " could not be verified (" + String.join(", ", result.unverified().keySet()) + "), "
          + first.getKey() + ": " + first.getValue());
    }
    return tooFar ? EXIT_TOO_FAR : 0;
  }
}
