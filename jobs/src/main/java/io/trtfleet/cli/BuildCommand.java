package io.trtfleet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.trtfleet.TrtfleetException;
import io.trtfleet.artifact.ConvertedSavedModel;
import io.trtfleet.artifact.FullModelPlan;
import io.trtfleet.artifact.TfTrtSavedModelWriter;
import io.trtfleet.artifact.TritonRepositoryWriter;
import io.trtfleet.artifact.TrtEngineOpSettings;
import io.trtfleet.convert.ConversionOptions;
import io.trtfleet.convert.ConversionResult;
import io.trtfleet.convert.ConvertedSegment;
import io.trtfleet.convert.OnnxSegmentConverter;
import io.trtfleet.Precision;
import io.trtfleet.convert.ProfileStrategy;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.quantize.CalibrationTable;
import io.trtfleet.segment.Segment;
import io.trtfleet.segment.SegmentedGraph;
import io.trtfleet.segment.Segmenter;
import io.trtfleet.segment.SegmenterOptions;
import io.trtfleet.tensorrt.DeviceIdentity;
import io.trtfleet.tensorrt.EngineArtifact;
import io.trtfleet.tensorrt.EngineBenchmark;
import io.trtfleet.tensorrt.EngineBuildConfig;
import io.trtfleet.tensorrt.EngineBuildException;
import io.trtfleet.tensorrt.EngineBuilder;
import io.trtfleet.tensorrt.EngineFiles;
import io.trtfleet.tensorrt.EngineInspector;
import io.trtfleet.tensorrt.EngineRunner;
import io.trtfleet.tensorrt.GpuUnavailableException;
import io.trtfleet.tensorrt.TensorRt;
import io.trtfleet.verify.AccuracyGate;
import io.trtfleet.verify.ValidationGates;
import io.trtfleet.verify.Verifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trtfleet build}: segments a SavedModel, converts every segment to ONNX and builds a TensorRT
 * engine per segment and precision on this machine's GPU, then validates each engine against FP32
 * TensorFlow on held-out samples (gates from conf/validation-gates.json) and benchmarks it. Exit 0
 * when every engine built and passed, 1 when one failed its build or gate, 2 on bad input or no GPU.
 */
@Command(name = "build", mixinStandardHelpOptions = true,
    description = "Build, validate and benchmark TensorRT engines of a SavedModel's segments on this GPU.")
public final class BuildCommand implements Callable<Integer> {

  public static final int EXIT_FAILED = 1;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Mixin
  ModelOptions model;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory")
  Path out;

  @Option(names = "--precision", defaultValue = "FP32", split = ",", paramLabel = "P[,P...]",
      description = "FP32, FP16, INT8, INT8_FP32, comma-separated (default: ${DEFAULT-VALUE})")
  List<String> precisions;

  @Option(names = "--calibration", paramLabel = "FILE", description = "calibration cache (needed for INT8)")
  Path calibration;

  @Option(names = "--profile-strategy", defaultValue = "RANGE", paramLabel = "S",
      description = "RANGE, OPTIMAL, RANGE_OPTIMAL or IMPLICIT_BATCH_MODE_COMPATIBLE (default: ${DEFAULT-VALUE})")
  ProfileStrategy profileStrategy;

  @Option(names = "--batch-sizes", defaultValue = "1,128", split = ",", paramLabel = "N[,N...]",
      description = "batch sizes the profiles cover; throughput is measured at each (default: ${DEFAULT-VALUE})")
  List<Integer> batchSizes;

  @Option(names = "--data", paramLabel = "DATA",
      description = "held-out samples for validation: Parquet, fashion-mnist-idx:DIR or random[:SEED]")
  String data;

  @Option(names = "--samples", defaultValue = "2000", description = "validation samples (default: ${DEFAULT-VALUE})")
  int samples;

  @Option(names = "--gates", paramLabel = "FILE", description = "accuracy gates per precision (JSON, like"
      + " conf/validation-gates.json; default: built-in gates)")
  Path gates;

  @Option(names = "--iterations", defaultValue = "200", description = "timed iterations per benchmark (0: no benchmark)")
  int iterations;

  @Option(names = "--workspace-gb", defaultValue = "8", description = "builder workspace limit in GiB")
  long workspaceGb;

  @Option(names = "--opt-level", defaultValue = "3", description = "builder optimization level 0..5")
  int optimizationLevel;

  @Option(names = "--no-tf32", description = "FP32 layers in IEEE FP32 instead of TensorRT's default TF32 tensor-core"
      + " math (about 4x slower on an H200; for bit-faithful FP32 references)")
  boolean noTf32;

  @Option(names = "--channel-last-input", description = "bind NHWC image inputs channel-last (TensorRT kHWC: NCHW"
      + " dimensions over the NHWC bytes), so TensorRT reads the images in place instead of transposing them first;"
      + " for engines served directly: no TF-TRT SavedModel is written")
  boolean channelLastInput;

  @Option(names = "--gpu", defaultValue = "0", description = "CUDA device ordinal")
  int gpu;

  @Option(names = "--inspect", description = "also write TensorRT's layer information per engine (fusions, precisions)")
  boolean inspect;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    List<Precision> policies = precisions.stream().map(Precision::parse).toList();
    OutputDirectory.check(out);
    policies.forEach(p -> TfTrtSavedModelWriter.requireFresh(out.resolve(p.name().toLowerCase(Locale.ROOT))));
    if (batchSizes.stream().anyMatch(b -> b < 1)) {
      throw new TrtfleetException("--batch-sizes must be at least 1, got " + batchSizes);
    }
    if (iterations < 0) {
      throw new TrtfleetException("--iterations must be 0 (no benchmark) or more, got " + iterations);
    }
    CalibrationTable table = calibration == null ? null : CalibrationTable.read(calibration);
    if (table == null && policies.stream().anyMatch(Precision::quantized)) {
      throw new TrtfleetException("--precision INT8 needs --calibration FILE (trtfleet calibrate's calibration.cache)");
    }
    ValidationGates gateTable = gates == null ? ValidationGates.defaults() : ValidationGates.read(gates);
    TensorRt.unavailableReason().ifPresent(why -> {
      throw new GpuUnavailableException(why);
    });
    FrozenGraph graph = SavedModelImporter.importModel(model.importOptions()).graph();
    List<Verifier.Batch> held = data == null ? List.of()
        : SampleSource.load(data, graph, samples, Math.min(250, samples));
    DeviceIdentity device = TensorRt.identify(gpu);
    EngineBuilder builder = new EngineBuilder(device);
    Path timingCache = out.resolve("timing-cache").resolve(device.deviceKey() + "." + device.tensorRtKey() + ".cache");
    PrintWriter o = spec.commandLine().getOut();
    o.printf("building on %s (%s, %s)%n", device.gpuName(), device.deviceKey(), device.tensorRtKey());
    List<Map<String, Object>> rows = new ArrayList<>();
    boolean failed = false;
    for (Precision p : policies) {
      SegmentedGraph segmented = new Segmenter(SegmenterOptions.builder().precision(p.tfTrtMode()).build()).segment(graph);
      Path dir = out.resolve(p.name().toLowerCase(Locale.ROOT));
      Map<String, EngineArtifact> built = new LinkedHashMap<>();
      for (Segment segment : segmented.segments()) {
        Map<String, Object> row = buildOne(graph, segment, p, table, builder, timingCache, dir, held,
            gateTable.gate(p), o, built);
        failed |= !"ok".equals(row.get("status"));
        rows.add(row);
      }
      if (channelLastInput) {
        // TRTEngineOp feeds TensorFlow's NHWC shapes, these engines bind NCHW dimensions: they are served directly.
        Optional<FullModelPlan> full = FullModelPlan.of(model.modelName(), segmented, built);
        if (full.isPresent()) {
          o.println("wrote " + TritonRepositoryWriter.write(dir.resolve(TfTrtSavedModelWriter.TRITON_DIR), full.get(),
              TritonRepositoryWriter.Options.defaults()) + " (Triton, channel-last input)");
        }
        o.println("TF-TRT layout not written for " + p + " (--channel-last-input): the engines are in "
            + dir.resolve("engines"));
        continue;
      }
      // The converted SavedModel (TF-TRT layout): engines that passed are assets, the rest build at runtime.
      ConvertedSavedModel saved = new TfTrtSavedModelWriter(TrtEngineOpSettings.of(options(p, table)))
          .withTriton(TritonRepositoryWriter.Options.defaults())
          .write(model.importOptions(), model.modelName(), segmented, built, dir);
      o.println("wrote " + saved.savedModelDir() + " (TF-TRT layout, " + built.size() + " of "
          + segmented.segments().size() + " engines serialized)");
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("model", model.model.toString());
    report.put("device", device);
    report.put("device_key", device.deviceKey());
    report.put("tensorrt", device.tensorRtKey());
    report.put("engines", rows);
    Files.createDirectories(out);
    Files.write(out.resolve("build-report.json"), JSON.writeValueAsBytes(report));
    o.println("wrote " + out.resolve("build-report.json"));
    o.flush();
    return failed ? EXIT_FAILED : 0;
  }

  private Map<String, Object> buildOne(FrozenGraph graph, Segment segment, Precision p, CalibrationTable table,
      EngineBuilder builder, Path timingCache, Path dir, List<Verifier.Batch> held, AccuracyGate gate, PrintWriter o,
      Map<String, EngineArtifact> built) throws IOException {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("segment", segment.name());
    row.put("precision", p.name());
    ConversionOptions options = options(p, table).withProfiles(profileStrategy, examples(segment));
    ConversionResult converted = OnnxSegmentConverter.convert(graph, segment, options);
    if (!converted.isConverted()) {
      row.put("status", "not converted");
      row.put("reason", converted.fallbackReason());
      o.printf("%s %s: not converted (%s); it runs in TensorFlow%n", segment.name(), p, converted.fallbackReason());
      return row;
    }
    ConvertedSegment c = converted.converted();
    Files.createDirectories(dir.resolve("onnx"));
    Files.write(dir.resolve("onnx").resolve(segment.name() + ".onnx"), c.onnx());
    EngineArtifact engine;
    try {
      engine = builder.build(segment.name(), c.onnx(), EngineBuildConfig.builder(p.name()).profiles(c.profiles())
          .workspaceBytes(workspaceGb << 30).optimizationLevel(optimizationLevel).timingCache(timingCache)
          .detailedLayers(inspect).tf32(!noTf32).channelLastInputs(channelLastInput).build());
    } catch (EngineBuildException e) {
      row.put("status", "build failed");
      row.put("reason", e.getMessage());
      o.println("error: " + e.getMessage());
      return row;
    }
    row.put("files", EngineFiles.write(dir.resolve("engines"), engine).stream().map(Path::toString).toList());
    row.put("build_s", engine.metadata().buildSeconds());
    row.put("plan_bytes", engine.metadata().planBytes());
    if (inspect) {
      Files.createDirectories(dir.resolve("inspect"));
      Files.writeString(dir.resolve("inspect").resolve(segment.name() + ".layers.json"),
          EngineInspector.layersJson(engine.plan()));
    }
    String status = "ok";
    if (!held.isEmpty()) {
      Verifier.Result v;
      try (Verifier verifier = new Verifier(graph, segment, new EngineRunner(engine.plan()), 0)) {
        held.forEach(verifier::add);
        v = verifier.result();
      }
      List<String> violations = gate.violations(v);
      row.put("validation", Map.of("samples", v.samples(), "outputs", v.outputs(), "accuracy", v.accuracy(),
          "gate", gate, "violations", violations));
      status = violations.isEmpty() ? "ok" : "failed gate";
      v.outputs().values().forEach(cmp -> o.printf("%s %s validation: %s%n", segment.name(), p, cmp));
      v.accuracy().forEach((k, acc) -> o.printf(Locale.ROOT, "%s %s %s top-1: TensorFlow FP32 %.4f, engine %.4f%n",
          segment.name(), p, k, acc[0], acc[1]));
      violations.forEach(msg -> o.printf("%s %s FAILED gate: %s%n", segment.name(), p, msg));
    }
    if (iterations > 0) {
      try (EngineRunner runner = new EngineRunner(engine.plan())) {
        EngineBenchmark b = EngineBenchmark.run(runner, batchSizes, iterations);
        row.put("benchmark", b);
        o.printf(Locale.ROOT, "%s %s: batch 1 p50 %.3f ms p99 %.3f ms; %s%n", segment.name(), p, b.latency().p50Ms(),
            b.latency().p99Ms(), BenchCommand.throughputLine(b));
      }
    }
    row.put("status", status);
    if (status.equals("ok")) {
      built.put(segment.name(), engine);
    }
    o.printf(Locale.ROOT, "%s %s: %s, built in %.1f s, %.1f MB%n", segment.name(), p, status,
        engine.metadata().buildSeconds(), engine.metadata().planBytes() / 1e6);
    o.flush();
    return row;
  }

  /** Example shapes for the profiles: each segment input at every batch size (batch = its first dim). */
  private List<Map<String, long[]>> examples(Segment segment) {
    List<Map<String, long[]>> out = new ArrayList<>();
    for (int b : batchSizes) {
      Map<String, long[]> e = new LinkedHashMap<>();
      for (TensorSpec in : segment.inputs()) {
        long[] s = in.shape().clone();
        if (s.length > 0 && s[0] < 0) {
          s[0] = b;
        }
        if (Arrays.stream(s).anyMatch(d -> d < 0)) {
          throw new TrtfleetException("segment " + segment.name() + " input " + in.name() + " has shape "
              + in.shapeString() + ": only the batch dimension may be unknown for trtfleet build (export the"
              + " SavedModel with fixed sizes, or use export-onnx)");
        }
        e.put(in.name(), s);
      }
      out.add(e);
    }
    return out;
  }

  private static ConversionOptions options(Precision p, CalibrationTable table) {
    return new ConversionOptions(p, p.quantized() ? table : null);
  }


}
