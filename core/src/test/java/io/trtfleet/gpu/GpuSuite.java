package io.trtfleet.gpu;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.trtfleet.Precision;
import io.trtfleet.calibrate.ActivationCollector;
import io.trtfleet.convert.ConversionOptions;
import io.trtfleet.convert.OnnxSegmentConverter;
import io.trtfleet.convert.OptimizationProfile;
import io.trtfleet.convert.WholeGraphSegment;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.quantize.AbsHistogram;
import io.trtfleet.quantize.CalibrationAlgorithm;
import io.trtfleet.quantize.CalibrationResult;
import io.trtfleet.quantize.CalibrationTable;
import io.trtfleet.quantize.HistogramSet;
import io.trtfleet.quantize.QuantizationTargets;
import io.trtfleet.quantize.ThresholdSelector;
import io.trtfleet.reference.ReferenceRunner;
import io.trtfleet.segment.Segment;
import io.trtfleet.tensorrt.DeviceIdentity;
import io.trtfleet.tensorrt.EngineArtifact;
import io.trtfleet.tensorrt.EngineBuildConfig;
import io.trtfleet.tensorrt.EngineBuilder;
import io.trtfleet.tensorrt.EngineRunner;
import io.trtfleet.tensorrt.ImageBinding;
import io.trtfleet.tensorrt.ServingThroughput;
import io.trtfleet.tensorrt.TensorRt;
import io.trtfleet.testing.ResNet50;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/**
 * The GPU test command (docs/gpu.md): builds FP32/FP16/INT8 engines of the Fashion-MNIST sample CNN
 * and of a ResNet-50 built with TensorFlow Java, validates them against the FP32 TensorFlow reference,
 * benchmarks them, and prints one JSON document. Needs a GPU and TensorRT; TensorFlow runs on the CPU.
 *
 * <pre>
 * java -cp ... io.trtfleet.gpu.GpuSuite --out DIR [--fmnist DIR] [--resnet] [--batch 128] [--engines DIR]
 *     [--variants FP32,FP16-cl,INT8-cl-ent-sv,FP8-cl-ent,ANCHOR-int8e,...] [--cal-images 640]
 * </pre>
 */
public final class GpuSuite {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public static void main(String[] args) throws Exception {
    Map<String, String> a = parse(args);
    Path out = Path.of(a.getOrDefault("--out", "gpu-out"));
    Files.createDirectories(out);
    int batch = Integer.parseInt(a.getOrDefault("--batch", "128"));
    DeviceIdentity device = TensorRt.identify(0);
    System.out.println("DEVICE " + device + " key " + device.deviceKey() + " " + device.tensorRtKey());
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("device", device);
    results.put("device_key", device.deviceKey());
    results.put("tensorrt", device.tensorRtKey());
    EngineBuilder builder = new EngineBuilder(device);
    Path engines = Path.of(a.getOrDefault("--engines", out.resolve("engines").toString()));
    Files.createDirectories(engines);
    if (a.containsKey("--bench-engines")) {
      results.put("resnet50_rebench", rebench(engines, batch));
    }
    Runnable checkpoint = () -> {
      try {
        Files.writeString(out.resolve("gpu-results.json"), JSON.writeValueAsString(results));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
    if (a.containsKey("--fmnist")) {
      results.put("fashion_mnist", fashion(builder, Path.of(a.get("--fmnist")), Path.of(a.get("--model")), engines));
      checkpoint.run();
    }
    if (a.containsKey("--resnet")) {
      List<String> specs = List.of(a.getOrDefault("--variants", "FP32,FP16,INT8").split(","));
      Map<String, Object> rn = new LinkedHashMap<>();
      results.put("resnet50", rn);
      resnet(builder, batch, engines, a.containsKey("--inspect") ? out : null, specs,
          Integer.parseInt(a.getOrDefault("--cal-images", "640")), rn, checkpoint);
    }
    if (a.containsKey("--anchor")) {
      results.put("anchor", AnchorEngines.run(Path.of(a.get("--anchor")), a.getOrDefault("--anchor-tag", "anchor"),
          batch, List.of(a.getOrDefault("--anchor-modes", "fp32,fp16,int8").split(",")), engines, out, checkpoint));
    }
    if (a.containsKey("--rebench-end")) {
      // Every ResNet-50 plan of this call again, in turns, so ours and the anchors share the GPU's state.
      List<Object> rounds = new ArrayList<>();
      results.put("resnet50_rebench_end", rounds);
      int times = Integer.parseInt(a.get("--rebench-end").equals("true") ? "2" : a.get("--rebench-end"));
      for (int round = 0; round < times; round++) {
        rounds.add(rebench(engines, batch));
        checkpoint.run();
      }
    }
    checkpoint.run();
    System.out.println(JSON.writeValueAsString(results));
  }

  // ---------------------------------------------------------------- Fashion-MNIST CNN

  static Map<String, Object> fashion(EngineBuilder builder, Path idx, Path model, Path engines) throws IOException {
    FrozenGraph g = SavedModelImporter.importModel(ImportOptions.of(model)).graph();
    Segment segment = WholeGraphSegment.of(g);
    String input = g.signature().inputs().get(0).tensor().name();
    String output = g.signature().outputs().stream().filter(o -> o.key().equals("probabilities")).findFirst()
        .orElse(g.signature().outputs().get(0)).tensor().name();
    float[] val = images(idx.resolve("t10k-images-idx3-ubyte.gz"), 2000);
    int[] labels = labels(idx.resolve("t10k-labels-idx1-ubyte.gz"), 2000);
    float[] cal = images(idx.resolve("train-images-idx3-ubyte.gz"), 2000);
    int n = labels.length;
    int b = 250;

    // FP32 TensorFlow reference on the host CPU.
    float[] reference = new float[n * 10];
    try (ReferenceRunner tf = new ReferenceRunner(g)) {
      for (int s = 0; s < n; s += b) {
        HostTensor x = slice(val, s, b);
        System.arraycopy(tf.run(Map.of(input, x), List.of(output)).get(output).floats(), 0, reference, s * 10, b * 10);
      }
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("samples", n);
    r.put("tf_fp32_top1", top1(reference, labels));

    // Our calibration (all four algorithms from the same histograms) on 2000 training images.
    List<String> targets = QuantizationTargets.of(g, segment);
    Map<String, CalibrationTable> tables = calibrate(g, targets, cal, input);

    List<Map<String, Object>> rows = new ArrayList<>();
    Map<String, ConversionOptions> variants = new LinkedHashMap<>();
    variants.put("FP32", ConversionOptions.fp32());
    variants.put("FP16", ConversionOptions.of(Precision.FP16));
    for (Map.Entry<String, CalibrationTable> t : tables.entrySet()) {
      variants.put("INT8-" + t.getKey(), ConversionOptions.quantized(Precision.INT8, t.getValue()));
    }
    for (Map.Entry<String, ConversionOptions> v : variants.entrySet()) {
      byte[] onnx = OnnxSegmentConverter.convert(g, segment, v.getValue()).orElseThrow().onnx();
      EngineArtifact e = builder.build(segment.name(), onnx, EngineBuildConfig.builder(v.getKey())
          .profiles(List.of(batchRange(input, new long[] {28, 28, 1}, 256, 256)))
          .timingCache(engines.resolve("timing.cache")).build());
      Files.write(engines.resolve("fmnist-" + v.getKey() + ".plan"), e.plan());
      float[] probs = new float[n * 10];
      try (EngineRunner run = new EngineRunner(e.plan())) {
        String in = run.inputs().get(0);
        String outName = run.outputs().stream().filter(o -> o.equals(output)).findFirst().orElse(run.outputs().get(0));
        for (int s = 0; s < n; s += b) {
          System.arraycopy(run.run(Map.of(in, slice(val, s, b))).get(outName).floats(), 0, probs, s * 10, b * 10);
        }
        EngineRunner.BenchmarkResult lat = run.benchmark(Map.of(in, new long[] {1, 28, 28, 1}), 50, 500);
        EngineRunner.BenchmarkResult thr = run.benchmark(Map.of(in, new long[] {256, 28, 28, 1}), 20, 200);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("variant", v.getKey());
        row.put("top1", top1(probs, labels));
        row.put("top1_agreement_vs_tf_fp32", agreement(probs, reference));
        row.put("max_abs_err", maxAbs(probs, reference));
        row.put("rel_rms_err", relRms(probs, reference));
        row.put("latency_b1_p50_ms", lat.p50Ms());
        row.put("latency_b1_p99_ms", lat.p99Ms());
        row.put("throughput_b256_img_s", thr.samplesPerSecond());
        row.put("build_s", e.metadata().buildSeconds());
        row.put("plan_bytes", e.metadata().planBytes());
        rows.add(row);
        System.out.println("FMNIST " + row);
      }
    }
    r.put("variants", rows);
    r.put("legacy_entropy_parity", LegacyCalibrationParity.run(g, segment, input, output, cal, val, labels,
        tables.get("entropy"), engines));
    return r;
  }

  public static Map<String, CalibrationTable> calibrate(FrozenGraph g, List<String> targets, float[] cal, String input) {
    int b = 100;
    int n = cal.length / 784;
    Map<String, CalibrationTable> tables = new LinkedHashMap<>();
    try (ActivationCollector c = new ActivationCollector(g, targets, 0)) {
      Map<String, Float> ranges = new LinkedHashMap<>();
      for (int s = 0; s < n; s += b) {
        ranges = ActivationCollector.mergeRanges(ranges, c.ranges(Map.of(input, slice(cal, s, b)), b));
      }
      HistogramSet h = HistogramSet.withRanges(targets, ranges, AbsHistogram.DEFAULT_BINS);
      for (int s = 0; s < n; s += b) {
        c.accumulate(Map.of(input, slice(cal, s, b)), b, h);
      }
      for (CalibrationAlgorithm alg : CalibrationAlgorithm.values()) {
        var calibrator = alg.calibrator(99.99);
        var tensors = ThresholdSelector.select(h, calibrator, List.of(calibrator));
        tables.put(calibrator.name(), new CalibrationResult(calibrator.name(), calibrator.cacheName(), Map.of(),
            "fashion-mnist-train[0:2000]", "-", h.samples(), tensors).table());
      }
    }
    return tables;
  }

  // ---------------------------------------------------------------- ResNet-50

  /**
   * Builds and benchmarks the ResNet-50 variants named in {@code specs}: a precision (FP32, FP16, INT8)
   * with dash-separated modifiers {@code strict} (FP32 without TF32), {@code o<N>} (builder optimization
   * level N), {@code t<N>} (TensorRT averages N timing runs per tactic), {@code cl} and {@code cf} (NHWC input bound
   * channel-last or channel-first, {@link ImageBinding}; neither: as shaped), {@code r<N>} (a repeat: the same build
   * again) and experiments on the ONNX: {@code db} (convolution biases as tensors, {@link BiasAsTensor}),
   * {@code i8in} (an INT8 input binding, {@link AnchorShape#int8Input}), {@code nchw} and {@code logits}
   * (the anchor's NCHW input and logits-only output, {@link AnchorShape}), {@code pqb} and {@code pqi} (the
   * max pool's Q/DQ on its input as well, or only there, {@link PoolQdq}). {@code INT8_FP32} is INT8 with
   * FP32 between layers. {@code FP8} is E4M3 Q/DQ; {@code ent} quantizes with our entropy table
   * from the GPU collector over {@code calibrationImages} random images instead of min-max ranges;
   * {@code sv} adds the serving sweep ({@link #serving}). {@code ANCHOR-int8e} and {@code ANCHOR-fp16} are
   * TensorRT's own engines of the same FP32 ONNX with an NCHW input ({@link #anchor}). Each variant has its own timing cache, so none reuses another's tactic
   * timings, and each engine's logits for 8 random images are compared with TensorFlow's. A variant that
   * fails is recorded with its error and the next one runs; results are written after each variant, so a
   * call cut short still returns what it measured.
   *
   * @param inspect where to write TensorRT's layer information per engine (null: none)
   */
  static void resnet(EngineBuilder builder, int batch, Path engines, Path inspect, List<String> specs,
      int calibrationImages, Map<String, Object> r, Runnable checkpoint) throws IOException {
    Path dir = Files.createTempDirectory("resnet50");
    long t0 = System.nanoTime();
    ResNet50.export(dir.resolve("saved_model"));
    double exportS = (System.nanoTime() - t0) / 1e9;
    FrozenGraph g = SavedModelImporter.importModel(ImportOptions.of(dir.resolve("saved_model"))).graph();
    Segment segment = WholeGraphSegment.of(g);
    String input = g.signature().inputs().get(0).tensor().name();
    // INT8 ranges for speed only (random weights): min-max over two batches of random images.
    List<String> targets = QuantizationTargets.of(g, segment);
    Map<String, Float> amax = new LinkedHashMap<>();
    try (ActivationCollector c = new ActivationCollector(g, targets, 0)) {
      Random rnd = new Random(3);
      for (int k = 0; k < 2; k++) {
        amax = ActivationCollector.mergeRanges(amax, c.ranges(Map.of(input, gaussianImages(rnd, 8, 224)), 8));
      }
    }
    CalibrationTable table = CalibrationTable.fromAmax("TRT-100600-MinMaxCalibration", amax);
    // Every engine's logits for 8 random images, against TensorFlow's FP32 on the CPU.
    String logits = g.signature().outputs().stream().filter(o -> o.key().equals("logits")).findFirst().orElseThrow()
        .tensor().name();
    HostTensor check = gaussianImages(new Random(11), 8, 224);
    float[] reference;
    try (ReferenceRunner tf = new ReferenceRunner(g)) {
      reference = tf.run(Map.of(input, check), List.of(logits)).get(logits).floats();
    }
    r.put("export_s", exportS);
    // Our entropy table, only when a variant quantizes with it or compares TensorRT's calibrator with it.
    ResNetCalibration calibration = null;
    if (specs.stream().anyMatch(v -> List.of(v.split("-")).contains("ent") || v.startsWith("ANCHOR-int8e"))) {
      calibration = ResNetCalibration.collect(g, targets, calibrationImages, 64, 224, 0);
      r.put("entropy_calibration", Map.of("images", calibrationImages, "batch", 64, "gpu_seconds",
          calibration.seconds(), "tensors", calibration.entropy().scales().size()));
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    r.put("variants", rows);
    for (String spec : specs) {
      List<String> mods = List.of(spec.split("-"));
      String precision = mods.get(0);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("variant", spec);
      rows.add(row);
      if (precision.equals("ANCHOR")) {
        try {
          anchor(mods.get(1), mods.contains("sv"), g, segment, batch, calibration, check, reference, engines, inspect, row);
        } catch (RuntimeException | IOException ex) {
          row.put("error", ex.toString());
          ex.printStackTrace();
        }
        System.out.println("RESNET50 " + row);
        checkpoint.run();
        continue;
      }
      CalibrationTable ranges = mods.contains("ent") ? calibration.entropy() : table;
      ConversionOptions options = switch (precision) {
        case "FP32" -> ConversionOptions.fp32();
        case "FP16" -> ConversionOptions.of(Precision.FP16);
        case "INT8" -> ConversionOptions.quantized(Precision.INT8, ranges);
        case "INT8_FP32" -> ConversionOptions.quantized(Precision.INT8_FP32, ranges);
        case "FP8" -> ConversionOptions.quantized(Precision.FP8, ranges);
        default -> throw new IllegalArgumentException("variant " + spec + ": precision FP32, FP16, INT8, INT8_FP32, FP8 or ANCHOR");
      };
      int level = modifier(mods, "o", EngineBuildConfig.DEFAULT_OPTIMIZATION_LEVEL);
      try {
        long c0 = System.nanoTime();
        byte[] onnx = OnnxSegmentConverter.convert(g, segment, options).orElseThrow().onnx();
        if (mods.contains("db")) {
          onnx = BiasAsTensor.apply(onnx);
        }
        if (mods.contains("nchw")) {
          onnx = AnchorShape.nchwInput(onnx);
        }
        if (mods.contains("i8in")) {
          onnx = AnchorShape.int8Input(onnx);
        }
        if (mods.contains("logits")) {
          onnx = AnchorShape.logitsOnly(onnx, "logits");
        }
        if (mods.contains("pqb")) {
          onnx = PoolQdq.inputToo(onnx);
        }
        if (mods.contains("pqi")) {
          onnx = PoolQdq.inputOnly(onnx);
        }
        row.put("convert_s", (System.nanoTime() - c0) / 1e9);
        EngineArtifact e = builder.build(segment.name(), onnx, EngineBuildConfig.builder(precision)
            .profiles(List.of(batchRange(input, mods.contains("nchw") ? new long[] {3, 224, 224} : new long[] {224, 224, 3},
                batch, batch)))
            .optimizationLevel(level).tf32(!mods.contains("strict")).avgTimingIterations(modifier(mods, "t", 0))
            .imageBinding(mods.contains("cl") ? ImageBinding.CHANNEL_LAST
                : mods.contains("cf") ? ImageBinding.NCHW : ImageBinding.AS_SHAPED)
            .timingCache(engines.resolve("timing-" + spec + ".cache"))
            .detailedLayers(inspect != null).build());
        Files.write(engines.resolve("resnet50-" + spec + ".plan"), e.plan());
        if (inspect != null) {
          Files.writeString(inspect.resolve("resnet50-" + spec + ".layers.json"),
              io.trtfleet.tensorrt.EngineInspector.layersJson(e.plan()));
        }
        row.put("build_s", e.metadata().buildSeconds());
        row.put("plan_bytes", e.metadata().planBytes());
        row.put("input_binding", e.metadata().io().get(0));
        if (!mods.contains("nchw") && !mods.contains("i8in")) {
          try (EngineRunner run = new EngineRunner(e)) {
            float[] got = run.run(Map.of(input, check)).get(logits).floats();
            row.put("logits_rel_rms_vs_tf", relRms(got, reference));
            row.put("top1_agreement_vs_tf", agreement(got, reference, 1000));
          }
        }
        row.putAll(bench(e.plan(), batch));
        if (mods.contains("sv")) {
          row.put("serving", serving(e.plan(), batch));
        }
      } catch (RuntimeException ex) {
        row.put("error", ex.toString());
        ex.printStackTrace();
      }
      System.out.println("RESNET50 " + row);
      checkpoint.run();
    }
  }

  /**
   * TensorRT's own engine of the same weights, from our FP32 ONNX given an NCHW input: {@code int8e} is
   * implicit INT8 (with FP16) calibrated by IInt8EntropyCalibrator2 on the images our entropy table came
   * from, and its cache compared with our table tensor by tensor; {@code fp16} is weakly typed FP16.
   */
  private static void anchor(String mode, boolean sweep, FrozenGraph g, Segment segment, int batch, ResNetCalibration cal,
      HostTensor check, float[] reference, Path engines, Path inspect, Map<String, Object> row) throws IOException {
    String input = g.signature().inputs().get(0).tensor().name();
    byte[] onnx = AnchorShape.nchwInput(OnnxSegmentConverter.convert(g, segment, ConversionOptions.fp32()).orElseThrow().onnx());
    byte[] plan;
    switch (mode) {
      case "int8e" -> {
        LegacyCalibrationParity.Implicit built = LegacyCalibrationParity.buildImplicit(onnx, input,
            new long[] {3, 224, 224}, batch, batch, cal.nchw(), cal.batch(), true);
        plan = built.plan();
        row.put("build_s", built.buildSeconds());
        Files.writeString(engines.resolve("anchor-int8e.cache"), built.cache());
        Files.writeString(engines.resolve("ours-entropy-resnet50.cache"), cal.entropy().toCacheText());
        row.put("calibration_parity", LegacyCalibrationParity.compare(cal.entropy(), cal.onnxNames(),
            CalibrationTable.parse(built.cache().lines().toList(), "TensorRT cache")));
      }
      case "fp16" -> {
        Path file = engines.resolve("anchor-nchw.onnx");
        Files.write(file, onnx);
        long t0 = System.nanoTime();
        plan = AnchorEngines.build(file, "fp16", batch);
        row.put("build_s", (System.nanoTime() - t0) / 1e9);
      }
      default -> throw new IllegalArgumentException("anchor mode " + mode + ": int8e or fp16");
    }
    Files.write(engines.resolve("anchor-" + mode + ".plan"), plan);
    if (inspect != null) {
      Files.writeString(inspect.resolve("anchor-" + mode + ".layers.json"), io.trtfleet.tensorrt.EngineInspector.layersJson(plan));
    }
    row.put("plan_bytes", plan.length);
    String logits = g.signature().outputs().stream().filter(o -> o.key().equals("logits")).findFirst().orElseThrow()
        .tensor().name();
    try (EngineRunner run = new EngineRunner(plan)) {
      float[] got = run.run(Map.of(input, ResNetCalibration.nchw(check))).get(logits).floats();
      row.put("logits_rel_rms_vs_tf", relRms(got, reference));
      row.put("top1_agreement_vs_tf", agreement(got, reference, 1000));
    }
    row.putAll(bench(plan, batch));
    if (sweep) {
      row.put("serving", serving(plan, batch));
    }
  }

  /**
   * Serving throughput at {@code batch}: 1, 2 and 4 execution contexts on as many streams, each with
   * and without CUDA graphs ({@link ServingThroughput}).
   */
  static List<Map<String, Object>> serving(byte[] plan, int batch) {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (EngineRunner run = new EngineRunner(plan)) {
      for (int streams : new int[] {1, 2, 4}) {
        for (boolean graph : new boolean[] {false, true}) {
          ServingThroughput.Result t = ServingThroughput.measure(run, new ServingThroughput.Settings(batch, streams, graph, 300));
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("streams", streams);
          row.put("cuda_graph", graph);
          row.put("throughput_img_s", t.samplesPerSecond());
          rows.add(row);
          System.out.println("SERVING " + batch + " " + row);
        }
      }
    }
    return rows;
  }

  /** The number after {@code prefix} in a modifier such as {@code o5} or {@code t8}, else {@code otherwise}. */
  private static int modifier(List<String> mods, String prefix, int otherwise) {
    return mods.stream().filter(m -> m.matches(prefix + "[0-9]+")).map(m -> Integer.parseInt(m.substring(prefix.length())))
        .findFirst().orElse(otherwise);
  }

  /** Re-benchmarks the ResNet-50 plans in {@code engines}: ours ({@code resnet50-*}) and the anchors'. */
  static List<Map<String, Object>> rebench(Path engines, int batch) throws IOException {
    List<Map<String, Object>> rows = new ArrayList<>();
    List<Path> plans;
    try (var files = Files.list(engines)) {
      plans = files.filter(f -> f.getFileName().toString().endsWith(".plan")
          && !f.getFileName().toString().startsWith("fmnist")).sorted().toList();
    }
    for (Path plan : plans) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("variant", plan.getFileName().toString().replace(".plan", ""));
      row.putAll(bench(Files.readAllBytes(plan), batch));
      rows.add(row);
      System.out.println("RESNET50-REBENCH " + row);
    }
    return rows;
  }

  /**
   * Batch-1 latency and batch-{@code batch} throughput (600 back-to-back batches, about 2 s for
   * ResNet-50 FP16, as trtexec's default duration), input shapes from the engine's own profile. The
   * wall-clock start and end let the figures be lined up with a GPU clock and power log.
   */
  static Map<String, Object> bench(byte[] plan, int batch) {
    try (EngineRunner run = new EngineRunner(plan)) {
      String in = run.inputs().get(0);
      long[] shape = run.profileShape(in, 2);
      long start = System.currentTimeMillis();
      EngineRunner.BenchmarkResult lat = run.benchmark(Map.of(in, withBatch(shape, 1)), 20, 200);
      EngineRunner.BenchmarkResult thr = run.benchmark(Map.of(in, withBatch(shape, batch)), 50, 600);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("bench_start_ms", start);
      row.put("bench_end_ms", System.currentTimeMillis());
      row.put("latency_b1_p50_ms", lat.p50Ms());
      row.put("latency_b1_p99_ms", lat.p99Ms());
      row.put("throughput_img_s", thr.samplesPerSecond());
      row.put("batch", batch);
      row.put("ms_per_batch", thr.meanMsPerBatch());
      return row;
    }
  }

  private static long[] withBatch(long[] shape, long batch) {
    long[] s = shape.clone();
    s[0] = batch;
    return s;
  }

  // ---------------------------------------------------------------- helpers

  /** {@code batch} NHWC RGB images of {@code size} x {@code size}, standard-normal values from {@code rnd}. */
  static HostTensor gaussianImages(Random rnd, int batch, int size) {
    float[] x = new float[batch * size * size * 3];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    return HostTensor.ofFloats(new long[] {batch, size, size, 3}, x);
  }

  /** One profile: batch 1 to {@code max}, tuned for {@code opt}, other dims fixed to {@code sample}. */
  static OptimizationProfile batchRange(String input, long[] sample, int opt, int max) {
    return new OptimizationProfile(Map.of(input, new OptimizationProfile.Dims(prependBatch(sample, 1),
        prependBatch(sample, opt), prependBatch(sample, max))));
  }

  private static long[] prependBatch(long[] sample, long batch) {
    long[] s = new long[sample.length + 1];
    s[0] = batch;
    System.arraycopy(sample, 0, s, 1, sample.length);
    return s;
  }

  public static HostTensor slice(float[] images, int start, int count) {
    float[] x = new float[count * 784];
    System.arraycopy(images, start * 784, x, 0, count * 784);
    return HostTensor.ofFloats(new long[] {count, 28, 28, 1}, x);
  }

  /** IDX images scaled to [0, 1], as the sample model was trained. */
  public static float[] images(Path gz, int count) throws IOException {
    try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(gz)))) {
      in.readInt();
      int n = Math.min(count, in.readInt());
      int rows = in.readInt();
      int cols = in.readInt();
      byte[] px = in.readNBytes(n * rows * cols);
      float[] out = new float[px.length];
      for (int i = 0; i < px.length; i++) {
        out[i] = (px[i] & 0xff) / 255f;
      }
      return out;
    }
  }

  public static int[] labels(Path gz, int count) throws IOException {
    try (InputStream raw = new GZIPInputStream(Files.newInputStream(gz)); DataInputStream in = new DataInputStream(raw)) {
      in.readInt();
      int n = Math.min(count, in.readInt());
      byte[] l = in.readNBytes(n);
      int[] out = new int[n];
      for (int i = 0; i < n; i++) {
        out[i] = l[i] & 0xff;
      }
      return out;
    }
  }

  static int argmax(float[] p, int row, int k) {
    int best = 0;
    for (int j = 1; j < k; j++) {
      if (p[row * k + j] > p[row * k + best]) {
        best = j;
      }
    }
    return best;
  }

  public static double top1(float[] probs, int[] labels) {
    int ok = 0;
    for (int i = 0; i < labels.length; i++) {
      ok += argmax(probs, i, 10) == labels[i] ? 1 : 0;
    }
    return (double) ok / labels.length;
  }

  public static double agreement(float[] a, float[] b) {
    return agreement(a, b, 10);
  }

  static double agreement(float[] a, float[] b, int classes) {
    int n = a.length / classes;
    int ok = 0;
    for (int i = 0; i < n; i++) {
      ok += argmax(a, i, classes) == argmax(b, i, classes) ? 1 : 0;
    }
    return (double) ok / n;
  }

  static double maxAbs(float[] a, float[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  static double relRms(float[] a, float[] b) {
    double num = 0;
    double den = 0;
    for (int i = 0; i < a.length; i++) {
      num += (a[i] - b[i]) * (double) (a[i] - b[i]);
      den += b[i] * (double) b[i];
    }
    return Math.sqrt(num / Math.max(den, 1e-30));
  }

  /** {@code --key value} and bare {@code --flag} arguments of the GPU mains. */
  static Map<String, String> parse(String[] args) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        m.put(args[i], args[++i]);
      } else {
        m.put(args[i], "true");
      }
    }
    return m;
  }

  static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
