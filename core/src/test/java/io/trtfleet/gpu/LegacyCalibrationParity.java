package io.trtfleet.gpu;

import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMemcpy;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.tensorrt.global.nvinfer.createInferBuilder;
import static org.bytedeco.tensorrt.global.nvonnxparser.createParser;

import io.trtfleet.calibrate.CalibrationOutputs;
import io.trtfleet.convert.ConversionOptions;
import io.trtfleet.convert.ConvertedSegment;
import io.trtfleet.convert.OnnxSegmentConverter;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.quantize.CalibrationTable;
import io.trtfleet.segment.Segment;
import io.trtfleet.tensorrt.EngineRunner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.tensorrt.global.nvinfer.BuilderFlag;
import org.bytedeco.tensorrt.global.nvinfer.MemoryPoolType;
import org.bytedeco.tensorrt.global.nvinfer.OptProfileSelector;
import org.bytedeco.tensorrt.global.nvinfer.ProfilingVerbosity;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.IBuilder;
import org.bytedeco.tensorrt.nvinfer.IBuilderConfig;
import org.bytedeco.tensorrt.nvinfer.IHostMemory;
import org.bytedeco.tensorrt.nvinfer.IInt8EntropyCalibrator2;
import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.bytedeco.tensorrt.nvinfer.INetworkDefinition;
import org.bytedeco.tensorrt.nvinfer.IOptimizationProfile;
import org.bytedeco.tensorrt.nvonnxparser.IParser;

/**
 * TensorRT 10.6's legacy IInt8EntropyCalibrator2 on the same FP32 network and calibration images:
 * its cache against our entropy scales (per-tensor ratios) and both INT8 accuracies. TensorRT 11
 * removed this calibrator and weakly typed INT8; this runs only to check parity on TensorRT 10.
 */
final class LegacyCalibrationParity {

  private LegacyCalibrationParity() {}

  /** Kept for the JVM: TensorRT calls it as long as what was made with it lives. */
  static final Log LOG = new Log();

  static final class Log extends ILogger {
    @Override
    public void log(Severity s, String msg) {
      if (s.value <= Severity.kERROR.value) {
        System.out.println("[trt " + s + "] " + msg);
      }
    }
  }

  /** Feeds the calibration images ({@code sample} floats each) in batches of {@code batch} to TensorRT's calibrator. */
  static final class Calibrator extends IInt8EntropyCalibrator2 {
    final float[] images;
    final int batch;
    final int sample;
    final Pointer device = new Pointer();
    int next;
    byte[] cache;

    Calibrator(float[] images, int batch, int sample) {
      this.images = images;
      this.batch = batch;
      this.sample = sample;
      int rc = cudaMalloc(device, (long) batch * sample * 4);
      if (rc != 0) {
        throw new IllegalStateException("cudaMalloc " + rc);
      }
    }

    @Override
    public int getBatchSize() {
      return batch;
    }

    @Override
    public boolean getBatch(PointerPointer bindings, PointerPointer names, int nbBindings) {
      long end = (long) (next + 1) * batch * sample;
      if (end > images.length) {
        return false;
      }
      FloatPointer host = new FloatPointer(Arrays.copyOfRange(images, (int) (end - (long) batch * sample), (int) end));
      cudaMemcpy(device, host, (long) batch * sample * 4, cudaMemcpyHostToDevice);
      host.close();
      bindings.put(0, device);
      next++;
      return true;
    }

    @Override
    public Pointer readCalibrationCache(LongPointer length) {
      length.put(0L);
      return null;
    }

    @Override
    public void writeCalibrationCache(Pointer ptr, long length) {
      cache = new byte[(int) length];
      new BytePointer(ptr).capacity(length).get(cache);
    }
  }

  static Map<String, Object> run(FrozenGraph g, Segment segment, String input, String output, float[] cal, float[] val,
      int[] labels, CalibrationTable ours, Path engines) throws java.io.IOException {
    Map<String, Object> r = new LinkedHashMap<>();
    ConvertedSegment fp32 = OnnxSegmentConverter.convert(g, segment, ConversionOptions.fp32()).orElseThrow();
    Implicit built = buildImplicit(fp32.onnx(), input, new long[] {28, 28, 1}, 100, 256, cal, 100, false);
    byte[] bytes = built.plan();
    String cacheText = built.cache();
    Files.write(engines.resolve("fmnist-INT8-legacy-entropy2.plan"), bytes);
    Files.writeString(engines.resolve("legacy-entropy2.cache"), cacheText);
    Files.writeString(engines.resolve("ours-entropy.cache"), ours.toCacheText());
    CalibrationTable theirs = CalibrationTable.parse(cacheText.lines().toList(), "TensorRT cache");
    r.putAll(compare(ours, CalibrationOutputs.plan(fp32, ours.scales().keySet()).onnxValue(), theirs));
    float[] probs = new float[labels.length * 10];
    try (EngineRunner run = new EngineRunner(bytes)) {
      String outName = run.outputs().stream().filter(o -> o.equals(output)).findFirst().orElse(run.outputs().get(0));
      for (int s = 0; s < labels.length; s += 250) {
        System.arraycopy(run.run(Map.of(input, GpuSuite.slice(val, s, 250))).get(outName).floats(), 0, probs, s * 10, 2500);
      }
    }
    r.put("legacy_int8_top1", GpuSuite.top1(probs, labels));
    System.out.println("LEGACY " + r);
    return r;
  }

  /** An implicit-INT8 plan and the calibration cache TensorRT's calibrator wrote while building it. */
  record Implicit(byte[] plan, String cache, double buildSeconds) {}

  /**
   * TensorRT's implicit INT8 of an FP32 ONNX through its own parser (weakly typed, kINT8, plus kFP16
   * when {@code fp16}, as trtexec --int8 --fp16), ranges from IInt8EntropyCalibrator2 fed {@code cal}
   * ({@code sample} floats per image, the ONNX input's layout) in batches of {@code calBatch}; one
   * profile from batch 1 to {@code maxBatch}, tuned for {@code optBatch}.
   */
  static Implicit buildImplicit(byte[] onnx, String input, long[] sample, int optBatch, int maxBatch, float[] cal,
      int calBatch, boolean fp16) {
    Log log = LOG;
    IBuilder builder = createInferBuilder(log);
    INetworkDefinition network = builder.createNetworkV2(0);
    IParser parser = createParser(network, log);
    if (!parser.parse(new BytePointer(onnx), onnx.length)) {
      throw new IllegalStateException("TensorRT's parser rejected the FP32 ONNX");
    }
    IBuilderConfig cfg = builder.createBuilderConfig();
    cfg.setMemoryPoolLimit(MemoryPoolType.kWORKSPACE, 8L << 30);
    cfg.setFlag(BuilderFlag.kINT8);
    // Layer information (fusions, precisions, formats) for EngineInspector, as in our own builds.
    cfg.setProfilingVerbosity(ProfilingVerbosity.kDETAILED.value);
    if (fp16) {
      cfg.setFlag(BuilderFlag.kFP16);
    }
    IOptimizationProfile p = builder.createOptimizationProfile();
    p.setDimensions(input, OptProfileSelector.kMIN, dims(batched(1, sample)));
    p.setDimensions(input, OptProfileSelector.kOPT, dims(batched(optBatch, sample)));
    p.setDimensions(input, OptProfileSelector.kMAX, dims(batched(maxBatch, sample)));
    cfg.addOptimizationProfile(p);
    IOptimizationProfile calibrationProfile = builder.createOptimizationProfile();
    for (int selector : new int[] {OptProfileSelector.kMIN.value, OptProfileSelector.kOPT.value, OptProfileSelector.kMAX.value}) {
      calibrationProfile.setDimensions(new BytePointer(input), selector, dims(batched(calBatch, sample)));
    }
    cfg.setCalibrationProfile(calibrationProfile);
    long elements = 1;
    for (long d : sample) {
      elements *= d;
    }
    Calibrator calibrator = new Calibrator(cal, calBatch, (int) elements);
    cfg.setInt8Calibrator(calibrator);
    long t0 = System.nanoTime();
    IHostMemory plan = builder.buildSerializedNetwork(network, cfg);
    if (plan == null || plan.isNull() || calibrator.cache == null) {
      throw new IllegalStateException("TensorRT's implicit INT8 build failed");
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    byte[] bytes = new byte[(int) plan.size()];
    new BytePointer(plan.data()).capacity(plan.size()).get(bytes);
    return new Implicit(bytes, new String(calibrator.cache, StandardCharsets.UTF_8), seconds);
  }

  private static long[] batched(long batch, long[] sample) {
    long[] d = new long[sample.length + 1];
    d[0] = batch;
    System.arraycopy(sample, 0, d, 1, sample.length);
    return d;
  }

  /**
   * Our scales against TensorRT's cache, tensor by tensor: our tables are keyed by TensorFlow tensor
   * names, TensorRT's by the ONNX value names the parser saw ({@code onnxName} maps one to the other).
   * Ratios ours / TensorRT's; the worst is the one farthest from 1 in log scale.
   */
  static Map<String, Object> compare(CalibrationTable ours, Map<String, String> onnxName, CalibrationTable theirs) {
    Map<String, Object> r = new LinkedHashMap<>();
    List<Double> ratios = new ArrayList<>();
    Map<String, Object> perTensor = new LinkedHashMap<>();
    List<String> unmatched = new ArrayList<>();
    for (Map.Entry<String, Float> e : ours.scales().entrySet()) {
      String name = onnxName.getOrDefault(e.getKey(), e.getKey());
      java.util.Optional<Float> s = theirs.scale(name).or(() -> theirs.scale(e.getKey())).filter(v -> v > 0);
      if (s.isPresent()) {
        double ratio = e.getValue() / s.get();
        ratios.add(ratio);
        perTensor.put(e.getKey(), ratio);
      } else {
        unmatched.add(e.getKey() + " (" + name + ")");
      }
    }
    double[] sorted = ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    r.put("trt_cache_header", theirs.header());
    r.put("trt_cache_tensors", theirs.scales().size());
    r.put("our_tensors", ours.scales().size());
    r.put("matched_tensors", sorted.length);
    r.put("unmatched", unmatched);
    r.put("ratio_ours_over_trt", perTensor);
    if (sorted.length > 0) {
      r.put("ratio_median", sorted[sorted.length / 2]);
      r.put("ratio_p10", sorted[sorted.length / 10]);
      r.put("ratio_p90", sorted[sorted.length * 9 / 10]);
      double worst = 1;
      for (double v : sorted) {
        if (Math.abs(Math.log(v)) > Math.abs(Math.log(worst))) {
          worst = v;
        }
      }
      r.put("ratio_worst", worst);
    }
    return r;
  }

  private static Dims64 dims(long... d) {
    Dims64 dims = new Dims64();
    dims.nbDims(d.length);
    for (int i = 0; i < d.length; i++) {
      dims.d(i, d[i]);
    }
    return dims;
  }
}
