package io.trtfleet.cli;

import io.trtfleet.convert.ConversionOptions;
import io.trtfleet.convert.ConvertedSegment;
import io.trtfleet.convert.OnnxSegmentConverter;
import io.trtfleet.Precision;
import io.trtfleet.convert.WholeGraphSegment;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.verify.OutputComparison;
import io.trtfleet.verify.Verifier;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trtfleet verify}: the original graph in TensorFlow against its ONNX conversion in ONNX
 * Runtime, on the same samples. Exit 1 when an output's relative RMS error exceeds the bound (1e-4
 * for FP32 by default; FP16/INT8 only report unless {@code --max-relative-error} is given).
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Run the SavedModel (TensorFlow, FP32) and its ONNX conversion (ONNX Runtime, CPU) on the same"
        + " inputs; print per-output max |error|, relative RMS error and top-1 agreement.")
public final class VerifyCommand implements Callable<Integer> {

  public static final double FP32_MAX_RELATIVE_ERROR = 1e-4;
  public static final int EXIT_TOO_FAR = 1;

  @Mixin
  ModelOptions model;

  @Mixin
  ConversionOptionsMixin conversion;

  @Option(names = "--data", required = true, paramLabel = "DATA",
      description = "Parquet file or directory (one array<float> column per input, optional label),"
          + " fashion-mnist-idx:DIR, or random[:SEED]")
  String data;

  @Option(names = "--samples", defaultValue = "1000", description = "samples to compare (default: ${DEFAULT-VALUE})")
  int samples;

  @Option(names = "--batch-size", defaultValue = "100", description = "batch size (default: ${DEFAULT-VALUE})")
  int batchSize;

  @Option(names = "--max-relative-error", paramLabel = "E",
      description = "fail when an output's relative RMS error exceeds E (default: 1e-4 for FP32, none otherwise)")
  Double maxRelativeError;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    ConversionOptions options = conversion.options();
    FrozenGraph graph = SavedModelImporter.importModel(model.importOptions()).graph();
    ConvertedSegment converted = OnnxSegmentConverter.convert(graph, WholeGraphSegment.of(graph), options)
        .orElseThrow();
    List<Verifier.Batch> batches = SampleSource.load(data, graph.signature(), samples, batchSize);
    Verifier.Result result;
    try (Verifier verifier = new Verifier(graph, converted, 0)) {
      batches.forEach(verifier::add);
      result = verifier.result();
    }
    PrintWriter o = spec.commandLine().getOut();
    o.println(converted.report().summary());
    o.printf("Compared %d samples of %s, %s ONNX (ONNX Runtime, CPU) against TensorFlow FP32:%n", result.samples(),
        data, options.precision());
    o.printf("  %-20s %14s %14s %14s%n", "output", "max |error|", "rel RMS error", "top-1 agree");
    Double bound = maxRelativeError != null ? maxRelativeError
        : options.precision() == Precision.FP32 ? FP32_MAX_RELATIVE_ERROR : null;
    boolean tooFar = false;
    for (OutputComparison c : result.outputs().values()) {
      o.printf("  %-20s %14.4g %14.4g %14s%n", c.output(), c.maxAbsError(), c.relativeRmsError(),
          c.isClassifier() ? String.format("%.4f", c.top1Agreement()) : "-");
      tooFar |= bound != null && !(c.relativeRmsError() <= bound);
    }
    result.accuracy().forEach((k, acc) -> o.printf("  %s accuracy vs labels: TensorFlow %.4f, ONNX %.4f%n", k, acc[0],
        acc[1]));
    if (tooFar) {
      o.printf("FAILED: relative RMS error above %.3g%n", bound);
    }
    o.flush();
    return tooFar ? EXIT_TOO_FAR : 0;
  }
}
