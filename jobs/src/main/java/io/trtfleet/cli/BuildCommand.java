package io.trtfleet.cli;

import io.trtfleet.Precision;
import io.trtfleet.TrtfleetException;
import io.trtfleet.artifact.TfTrtSavedModelWriter;
import io.trtfleet.pipeline.BuildOutcome;
import io.trtfleet.pipeline.BuildReport;
import io.trtfleet.pipeline.ModelUnderBuild;
import io.trtfleet.pipeline.OnnxRuntimeBackend;
import io.trtfleet.pipeline.PrecisionBuild;
import io.trtfleet.pipeline.SegmentBackend;
import io.trtfleet.pipeline.TensorRtBackend;
import io.trtfleet.quantize.CalibrationTable;
import io.trtfleet.tensorrt.DeviceIdentity;
import io.trtfleet.tensorrt.TensorRt;
import io.trtfleet.verify.ValidationGates;
import io.trtfleet.verify.Verifier;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trtfleet build}: the pipeline's build stages ({@link PrecisionBuild}) for each precision on this
 * machine's GPU, or with {@code --backend onnxruntime} on its CPU (ONNX models and TF-TRT's converted, not
 * built SavedModel). Exit 0 when every segment built and passed its gate, 1 when one failed its build or
 * gate, 2 on bad input or no GPU.
 */
@Command(name = "build", mixinStandardHelpOptions = true,
    description = "Segment, convert, build, validate and benchmark a SavedModel per precision; write the converted"
        + " SavedModel (TF-TRT layout), plans and Triton entries.")
public final class BuildCommand implements Callable<Integer> {

  public static final int EXIT_FAILED = 1;

  @Mixin
  ModelOptions model;

  @Mixin
  HeldOutDataOptions data;

  @Mixin
  EngineOptions engine;

  @Mixin
  SegmenterOptionsMixin segmentation;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory")
  Path out;

  @Option(names = "--precision", defaultValue = "FP32", split = ",", paramLabel = "P[,P...]",
      description = "FP32, FP16, INT8, INT8_FP32, FP8 (GPUs of compute capability 8.9 and newer), comma-separated"
          + " (default: ${DEFAULT-VALUE})")
  List<String> precisions;

  @Option(names = "--calibration", paramLabel = "FILE", description = "calibration cache (needed for INT8 and FP8)")
  Path calibration;

  @Option(names = "--gates", paramLabel = "FILE", description = "accuracy gates per precision (JSON, like"
      + " conf/validation-gates.json; default: built-in gates)")
  Path gates;

  @Option(names = "--backend", defaultValue = "tensorrt", paramLabel = "B", description = "tensorrt (engines on this"
      + " GPU) or onnxruntime (ONNX verified on the CPU, TF-TRT SavedModel whose engines build at load time)")
  String backendName;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    List<Precision> ps = precisions.stream().map(Precision::parse).toList();
    OutputDirectory.check(out);
    ps.forEach(p -> TfTrtSavedModelWriter.requireFresh(dir(p)));
    var settings = engine.settings(segmentation.options(Precision.FP32));
    CalibrationTable table = calibration == null ? null : CalibrationTable.read(calibration);
    if (table == null && ps.stream().anyMatch(Precision::quantized)) {
      throw new TrtfleetException("--precision " + ps.stream().filter(Precision::quantized).findFirst().orElseThrow()
          + " needs --calibration FILE (trtfleet calibrate's calibration.cache)");
    }
    ValidationGates gateTable = gates == null ? ValidationGates.defaults() : ValidationGates.read(gates);
    SegmentBackend backend = backend();
    ps.forEach(p -> backend.refusal(p).ifPresent(why -> {
      throw new TrtfleetException(why);
    }));
    ModelUnderBuild m = model.load();
    List<Verifier.Batch> heldOut = data.load(m.graph());
    PrintWriter o = spec.commandLine().getOut();
    o.println("building on " + backend.description() + " (" + backend.deviceKey() + ", " + backend.key() + ")");
    PrecisionBuild build = new PrecisionBuild(m, backend, settings, o);
    List<BuildOutcome> outcomes = new ArrayList<>();
    for (Precision p : ps) {
      outcomes.add(build.run(p, table, heldOut, gateTable.gate(p), dir(p)));
    }
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("model", model.model.toString());
    context.put("backend", backend.key());
    context.put("device_key", backend.deviceKey());
    backend.device().ifPresent(d -> context.put("device", d));
    o.println("wrote " + BuildReport.write(out.resolve("build-report.json"), context, outcomes));
    o.flush();
    return outcomes.stream().allMatch(BuildOutcome::ok) ? 0 : EXIT_FAILED;
  }

  private Path dir(Precision p) {
    return out.resolve(p.name().toLowerCase(Locale.ROOT));
  }

  private SegmentBackend backend() {
    return switch (backendName.toLowerCase(Locale.ROOT)) {
      case "tensorrt" -> {
        TensorRt.require();
        DeviceIdentity device = TensorRt.identify(engine.gpu);
        yield new TensorRtBackend(device, engine.template(device.timingCacheIn(out.resolve("timing-cache"))), engine.inspect);
      }
      case "onnxruntime" -> new OnnxRuntimeBackend(0);
      default -> throw new TrtfleetException("--backend must be tensorrt or onnxruntime, got '" + backendName + "'");
    };
  }
}
