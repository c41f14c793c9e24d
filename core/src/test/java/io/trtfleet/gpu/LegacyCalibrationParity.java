package io.trtfleet.gpu;

import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMemcpy;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.tensorrt.global.nvinfer.createInferBuilder;
import static org.bytedeco.tensorrt.global.nvonnxparser.createParser;

import io.trtfleet.convert.ConversionOptions;
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

  static final class Log extends ILogger {
    @Override
    public void log(Severity s, String msg) {
      if (s.value <= Severity.kERROR.value) {
        System.out.println("[trt " + s + "] " + msg);
      }
    }
  }

  /** Feeds the calibration images in batches of {@code batch} to TensorRT's calibrator. */
  static final class Calibrator extends IInt8EntropyCalibrator2 {
    final float[] images;
    final int batch;
    final Pointer device = new Pointer();
    int next;
    byte[] cache;

    Calibrator(float[] images, int batch) {
      this.images = images;
      this.batch = batch;
      int rc = cudaMalloc(device, (long) batch * 784 * 4);
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
      if ((next + 1) * batch * 784 > images.length) {
        return false;
      }
      FloatPointer host = new FloatPointer(Arrays.copyOfRange(images, next * batch * 784, (next + 1) * batch * 784));
      cudaMemcpy(device, host, (long) batch * 784 * 4, cudaMemcpyHostToDevice);
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
    byte[] onnx = OnnxSegmentConverter.convert(g, segment, ConversionOptions.fp32()).orElseThrow().onnx();
    Log log = new Log();
    IBuilder builder = createInferBuilder(log);
    INetworkDefinition network = builder.createNetworkV2(0);
    IParser parser = createParser(network, log);
    if (!parser.parse(new BytePointer(onnx), onnx.length)) {
      r.put("error", "parse failed");
      return r;
    }
    int batch = 100;
    IBuilderConfig cfg = builder.createBuilderConfig();
    cfg.setMemoryPoolLimit(MemoryPoolType.kWORKSPACE, 4L << 30);
    cfg.setFlag(BuilderFlag.kINT8);
    IOptimizationProfile p = builder.createOptimizationProfile();
    p.setDimensions(input, OptProfileSelector.kMIN, dims(1, 28, 28, 1));
    p.setDimensions(input, OptProfileSelector.kOPT, dims(batch, 28, 28, 1));
    p.setDimensions(input, OptProfileSelector.kMAX, dims(256, 28, 28, 1));
    cfg.addOptimizationProfile(p);
    IOptimizationProfile calibrationProfile = builder.createOptimizationProfile();
    calibrationProfile.setDimensions(input, OptProfileSelector.kMIN, dims(batch, 28, 28, 1));
    calibrationProfile.setDimensions(input, OptProfileSelector.kOPT, dims(batch, 28, 28, 1));
    calibrationProfile.setDimensions(input, OptProfileSelector.kMAX, dims(batch, 28, 28, 1));
    cfg.setCalibrationProfile(calibrationProfile);
    Calibrator calibrator = new Calibrator(cal, batch);
    cfg.setInt8Calibrator(calibrator);
    IHostMemory plan = builder.buildSerializedNetwork(network, cfg);
    if (plan == null || plan.isNull() || calibrator.cache == null) {
      r.put("error", "legacy INT8 build failed");
      return r;
    }
    byte[] bytes = new byte[(int) plan.size()];
    new BytePointer(plan.data()).capacity(plan.size()).get(bytes);
    Files.write(engines.resolve("fmnist-INT8-legacy-entropy2.plan"), bytes);
    String cacheText = new String(calibrator.cache, StandardCharsets.UTF_8);
    Files.writeString(engines.resolve("legacy-entropy2.cache"), cacheText);
    Files.writeString(engines.resolve("ours-entropy.cache"), ours.toCacheText());
    CalibrationTable theirs = CalibrationTable.parse(cacheText.lines().toList(), "TensorRT cache");
    List<Double> ratios = new ArrayList<>();
    Map<String, Object> perTensor = new LinkedHashMap<>();
    for (Map.Entry<String, Float> e : ours.scales().entrySet()) {
      theirs.scale(e.getKey()).filter(s -> s > 0).ifPresent(s -> {
        double ratio = e.getValue() / s;
        ratios.add(ratio);
        perTensor.put(e.getKey(), ratio);
      });
    }
    double[] sorted = ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    r.put("trt_cache_header", theirs.header());
    r.put("trt_cache_tensors", theirs.scales().size());
    r.put("matched_tensors", sorted.length);
    r.put("ratio_ours_over_trt", perTensor);
    if (sorted.length > 0) {
      r.put("ratio_median", sorted[sorted.length / 2]);
      double worst = 1;
      for (double v : sorted) {
        if (Math.abs(Math.log(v)) > Math.abs(Math.log(worst))) {
          worst = v;
        }
      }
      r.put("ratio_worst", worst);
    }
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

  private static Dims64 dims(long... d) {
    Dims64 dims = new Dims64();
    dims.nbDims(d.length);
    for (int i = 0; i < d.length; i++) {
      dims.d(i, d[i]);
    }
    return dims;
  }
}
