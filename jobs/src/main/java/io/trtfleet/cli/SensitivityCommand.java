package io.trtfleet.cli;

import io.trtfleet.Precision;
import io.trtfleet.TrtfleetException;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.pipeline.BackendVariantRunner;
import io.trtfleet.pipeline.BuildSettings;
import io.trtfleet.pipeline.TensorRtBackend;
import io.trtfleet.quantize.CalibrationTable;
import io.trtfleet.segment.SegmentedGraph;
import io.trtfleet.segment.Segmenter;
import io.trtfleet.sensitivity.Score;
import io.trtfleet.sensitivity.SensitivityAnalysis;
import io.trtfleet.sensitivity.SensitivityReport;
import io.trtfleet.sensitivity.TensorSensitivity;
import io.trtfleet.sensitivity.VariantRunner;
import io.trtfleet.tensorrt.DeviceIdentity;
import io.trtfleet.tensorrt.EngineBuildConfig;
import io.trtfleet.tensorrt.TensorRt;
import io.trtfleet.verify.ValidationGates;
import io.trtfleet.verify.Verifier;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trtfleet sensitivity}: which quantized tensors cost the accuracy ({@link SensitivityAnalysis}),
 * each variant run by ONNX Runtime on the CPU or, with {@code --backend tensorrt}, as a TensorRT engine
 * built on this GPU. Writes {@code sensitivity.json} and {@code sensitivity.html} and prints the ranking.
 */
@Command(name = "sensitivity", mixinStandardHelpOptions = true,
    description = "For each tensor an INT8 or FP8 build quantizes: the error against FP32 TensorFlow (and the top-1"
        + " drop with labels) when only it is quantized and (unless --quantized-only) when only it stays in float;"
        + " a ranked table"
        + " (<out>/sensitivity.json) and a picture (<out>/sensitivity.html). ONNX Runtime on the CPU, or TensorRT"
        + " engines on this GPU (--backend tensorrt).")
public final class SensitivityCommand implements Callable<Integer> {

  @Mixin
  ModelOptions model;

  @Mixin
  HeldOutDataOptions data;

  @Mixin
  SegmenterOptionsMixin segmentation;

  @Option(names = "--calibration", required = true, paramLabel = "FILE",
      description = "calibration cache (trtfleet calibrate's calibration.cache)")
  Path calibration;

  @Option(names = "--precision", defaultValue = "INT8", paramLabel = "P",
      description = "INT8, INT8_FP32 or FP8 (default: ${DEFAULT-VALUE})")
  String precision;

  @Option(names = "--gates", paramLabel = "FILE", description = "accuracy gates per precision (JSON, like"
      + " conf/validation-gates.json; default: built-in gates)")
  Path gates;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory")
  Path out;

  @Option(names = "--backend", defaultValue = "onnxruntime", paramLabel = "B", description = "onnxruntime (each"
      + " variant on the CPU) or tensorrt (each variant an engine built on this GPU, profiles over the data's batch"
      + " sizes; slower: one engine build per variant) (default: ${DEFAULT-VALUE})")
  String backendName;

  @Option(names = "--gpu", defaultValue = "0", description = "CUDA device ordinal (--backend tensorrt)")
  int gpu;

  @Option(names = "--opt-level", paramLabel = "N", description = "builder optimization level 0..5 of the variants'"
      + " engines (--backend tensorrt; default: TensorRT's, 3). The variants are compared for accuracy, not speed, so"
      + " a low level builds them several times faster")
  Integer optimizationLevel;

  @Option(names = "--quantized-only", description = "per tensor, measure only the variant that quantizes only it,"
      + " not the one that leaves only it in float: half the conversions, and all the ranking and the"
      + " mixed-precision fallback read")
  boolean quantizedOnly;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Precision p = Precision.parse(precision);
    if (!p.quantized()) {
      throw new TrtfleetException("--precision " + p + " quantizes no tensor: use INT8, INT8_FP32 or FP8");
    }
    if (data.data == null) {
      throw new TrtfleetException("sensitivity needs --data: held-out samples (a Parquet set) or random[:SEED]");
    }
    if (optimizationLevel != null && (optimizationLevel < 0 || optimizationLevel > 5)) {
      throw new TrtfleetException("--opt-level must be 0..5, got " + optimizationLevel);
    }
    OutputDirectory.check(out);
    Optional<TensorRtBackend> backend = tensorRt(p);
    CalibrationTable table = CalibrationTable.read(calibration);
    ValidationGates gateTable = gates == null ? ValidationGates.defaults() : ValidationGates.read(gates);
    FrozenGraph graph = SavedModelImporter.importModel(model.importOptions()).graph();
    SegmentedGraph segmented = new Segmenter(segmentation.options(p.tfTrtMode())).segment(graph);
    List<Verifier.Batch> batches = data.load(graph);
    PrintWriter o = spec.commandLine().getOut();
    SensitivityReport report = new SensitivityAnalysis(p, table, gateTable.gate(p), !quantizedOnly, runner(backend, p, batches))
        .run(model.modelName(), graph, segmented.segments(), batches, line -> {
          o.println(line);
          o.flush();
        });
    if (report.segments().isEmpty()) {
      throw new TrtfleetException("no segment of " + model.model + " quantizes a tensor at " + p + ": "
          + (report.skipped().isEmpty() ? "no TensorRT segment" : report.skipped()));
    }
    report.segments().forEach(s -> o.printf(Locale.ROOT, "%s: all %d quantized %s, none %s%n", s.segment(),
        s.tensors().size(), describe(s.allQuantized()), describe(s.noneQuantized())));
    o.printf("  %3s  %-44s %-38s%s%n", "#", "tensor", "only it quantized", quantizedOnly ? "" : " only it in float");
    int rank = 1;
    for (TensorSensitivity t : report.ranking()) {
      o.printf(Locale.ROOT, "  %3d  %-44s %-38s%s%n", rank++, t.tensor(), describe(t.onlyQuantized()),
          quantizedOnly ? "" : " " + describe(t.onlyFloat()));
    }
    List<Path> files = report.write(out);
    o.println("wrote " + files.get(0) + " and " + files.get(1));
    o.flush();
    return 0;
  }

  /** The TensorRT backend for {@code --backend tensorrt} (checked before any work), none for ONNX Runtime. */
  private Optional<TensorRtBackend> tensorRt(Precision p) {
    return switch (backendName.toLowerCase(Locale.ROOT)) {
      case "onnxruntime" -> {
        if (optimizationLevel != null) {
          throw new TrtfleetException("--opt-level sets how TensorRT builds the variants: use it with --backend tensorrt");
        }
        yield Optional.empty();
      }
      case "tensorrt" -> {
        TensorRt.require();
        DeviceIdentity device = TensorRt.identify(gpu);
        device.refusal(p).ifPresent(why -> {
          throw new TrtfleetException(why);
        });
        yield Optional.of(new TensorRtBackend(device, EngineBuildConfig.builder(p.name())
            .optimizationLevel(optimizationLevel == null ? EngineBuildConfig.DEFAULT_OPTIMIZATION_LEVEL : optimizationLevel)
            .timingCache(device.timingCacheIn(out.resolve("timing-cache")))
            .build(), false));
      }
      default -> throw new TrtfleetException("--backend must be onnxruntime or tensorrt, got '" + backendName + "'");
    };
  }

  /** Engines of the backend with profiles over the data's batch sizes, or ONNX Runtime here. */
  private static VariantRunner runner(Optional<TensorRtBackend> backend, Precision p, List<Verifier.Batch> batches) {
    List<Integer> sizes = batches.stream().map(b -> (int) b.rows()).distinct().sorted().toList();
    return backend.<VariantRunner>map(b -> new BackendVariantRunner(b, p, BuildSettings.builder().batchSizes(sizes).build()))
        .orElse(VariantRunner.onnxRuntime(0));
  }

  /** {@code rel 0.0123, agree 0.995, drop 0.20} with what the data gives. */
  private static String describe(Score s) {
    return String.format(Locale.ROOT, "rel %.3g", s.relativeRmsError())
        + (s.top1Agreement() == null ? "" : String.format(Locale.ROOT, ", agree %.3f", s.top1Agreement()))
        + (s.top1Drop() == null ? "" : String.format(Locale.ROOT, ", drop %.2f", s.top1Drop()))
        + (s.meetsGate() ? "" : " *");
  }
}
