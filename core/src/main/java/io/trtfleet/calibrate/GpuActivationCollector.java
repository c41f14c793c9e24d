package io.trtfleet.calibrate;

import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMemcpy;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemsetAsync;

import io.trtfleet.convert.ConversionOptions;
import io.trtfleet.convert.ConvertedSegment;
import io.trtfleet.convert.OnnxSegmentConverter;
import io.trtfleet.convert.OptimizationProfile;
import io.trtfleet.convert.WholeGraphSegment;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.quantize.AbsHistogram;
import io.trtfleet.quantize.CalibrationCollector;
import io.trtfleet.quantize.HistogramSet;
import io.trtfleet.quantize.NonFiniteActivationException;
import io.trtfleet.segment.Segment;
import io.trtfleet.tensorrt.CudaModule;
import io.trtfleet.tensorrt.DeviceIdentity;
import io.trtfleet.tensorrt.EngineArtifact;
import io.trtfleet.tensorrt.EngineBuildConfig;
import io.trtfleet.tensorrt.EngineBuilder;
import io.trtfleet.tensorrt.EngineRunner;
import io.trtfleet.tensorrt.TensorRt;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calibration collector on a GPU: the segment (by default the whole graph) converted to FP32 ONNX
 * with every calibration target added as a graph output ({@link CalibrationOutputs}), one FP32 TensorRT
 * engine built at construction, and per batch: upload, enqueueV3, then on the same stream the NVRTC-
 * compiled kernels of {@link HistogramKernels} read the activations where TensorRT left them. Only
 * max|x| words (pass 1) or 2048 counts plus 8 statistics words per tensor (pass 2) come back to the
 * host. Same API and merge semantics as {@link ActivationCollector}; the bin rule is AbsHistogram's.
 */
public final class GpuActivationCollector implements CalibrationCollector {

  private static final Logger LOG = LoggerFactory.getLogger(GpuActivationCollector.class);

  private final List<String> tensors;
  private final CalibrationOutputs outputs;
  private final EngineRunner runner;
  private final CudaModule kernels;
  private final int bins = AbsHistogram.DEFAULT_BINS;
  private final int maxBlocks;
  private final Pointer maxWords = new Pointer();
  private final Pointer counts = new Pointer();
  private final Pointer stats = new Pointer();
  private final double buildSeconds;
  private boolean closed;

  /** Whole-graph collector on CUDA device {@code ordinal}, batches of up to {@code maxBatch} samples. */
  public static GpuActivationCollector forGraph(FrozenGraph graph, List<String> tensors, int ordinal, int maxBatch) {
    return new GpuActivationCollector(graph, WholeGraphSegment.of(graph), tensors, ordinal, maxBatch);
  }

  /**
   * Builds the engine of {@code segment} with {@code tensors} as extra outputs. An empty {@code tensors}
   * gives the plain engine (benchmarks). Throws {@link io.trtfleet.tensorrt.GpuUnavailableException} when
   * this JVM has no GPU or TensorRT.
   */
  public GpuActivationCollector(FrozenGraph graph, Segment segment, List<String> tensors, int ordinal, int maxBatch) {
    TensorRt.require();
    if (maxBatch <= 0) {
      throw new IllegalArgumentException("max batch must be positive, got " + maxBatch);
    }
    this.tensors = List.copyOf(tensors);
    DeviceIdentity device = TensorRt.identify(ordinal);
    io.trtfleet.convert.ConversionResult conversion = OnnxSegmentConverter.convert(graph, segment, ConversionOptions.fp32());
    ConvertedSegment converted = conversion.model().orElseThrow(() -> new IllegalStateException("segment "
        + segment.name() + " does not convert to ONNX, so it cannot be calibrated on the GPU ("
        + conversion.fallbackReason() + "); use --calibration-device cpu"));
    outputs = CalibrationOutputs.plan(converted, this.tensors);
    byte[] onnx = CalibrationOutputs.withOutputs(converted.onnx(), outputs.extraOutputs());
    long t0 = System.nanoTime();
    String key = planKey(onnx, device, ordinal, maxBatch);
    byte[] plan = PLANS.get(key);
    if (plan == null) {
      EngineArtifact engine = new EngineBuilder(device).build(segment.name() + "-calibration", onnx,
          EngineBuildConfig.builder("FP32").profiles(List.of(profile(segment, maxBatch))).build());
      plan = engine.plan();
      PLANS.put(key, plan);
    }
    buildSeconds = (System.nanoTime() - t0) / 1e9;
    EngineRunner r = new EngineRunner(plan);
    CudaModule k = null;
    try {
      for (String t : this.tensors) {
        String name = outputs.onnxValue().get(t);
        if (!r.dataType(name).equals("float")) {
          throw new IllegalStateException("calibration target " + t + " (" + name + ") is " + r.dataType(name)
              + " in the engine, not float");
        }
      }
      k = new CudaModule(HistogramKernels.SOURCE, List.of(HistogramKernels.ABS_MAX, HistogramKernels.HISTOGRAM), ordinal);
      int n = Math.max(1, this.tensors.size());
      TensorRt.check(cudaMalloc(maxWords, (long) n * HistogramKernels.ABS_MAX_WORDS * 4), "cudaMalloc(max words)");
      TensorRt.check(cudaMalloc(counts, (long) n * bins * 8), "cudaMalloc(histogram counts)");
      TensorRt.check(cudaMalloc(stats, (long) n * HistogramKernels.STAT_WORDS * 8), "cudaMalloc(histogram stats)");
    } catch (RuntimeException e) {
      freeAll(r, k, e);
      throw e;
    }
    runner = r;
    kernels = k;
    maxBlocks = HistogramKernels.maxBlocks(k.multiprocessors());
    LOG.info("GPU calibration engine for {} tensors ({} extra outputs) on {} built in {} s", this.tensors.size(),
        outputs.extraOutputs().size(), device.gpuName(), String.format("%.1f", buildSeconds));
  }

  /**
   * Engines built in this JVM, by ONNX content, device and batch: both passes and every partition a Spark
   * executor runs reuse one build. Plans are a few hundred MB at most per model; one model per job.
   */
  private static final Map<String, byte[]> PLANS = new java.util.concurrent.ConcurrentHashMap<>();

  private static String planKey(byte[] onnx, DeviceIdentity device, int ordinal, int maxBatch) {
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(onnx);
      return java.util.HexFormat.of().formatHex(digest) + "/" + device.deviceKey() + "/" + ordinal + "/" + maxBatch;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static OptimizationProfile profile(Segment segment, int maxBatch) {
    Map<String, OptimizationProfile.Dims> dims = new LinkedHashMap<>();
    for (TensorSpec in : segment.inputs()) {
      long[] shape = in.shape();
      for (int i = 1; i < shape.length; i++) {
        if (shape[i] < 0) {
          throw new IllegalArgumentException("input " + in + " has an unknown dimension " + i
              + "; GPU calibration needs fixed shapes apart from the batch");
        }
      }
      long[] min = shape.clone();
      long[] max = shape.clone();
      if (shape.length > 0) {
        min[0] = shape[0] < 0 ? 1 : shape[0];
        max[0] = shape[0] < 0 ? maxBatch : shape[0];
      }
      dims.put(in.name(), new OptimizationProfile.Dims(min, max, max));
    }
    return new OptimizationProfile(dims);
  }

  @Override
  public Map<String, Float> ranges(Map<String, HostTensor> feeds, int valid) {
    Map<String, long[]> shapes = runner.enqueue(feeds);
    int n = tensors.size();
    TensorRt.check(cudaMemsetAsync(maxWords, 0, (long) Math.max(1, n) * HistogramKernels.ABS_MAX_WORDS * 4,
        runner.stream()), "cudaMemsetAsync");
    for (int i = 0; i < n; i++) {
      String name = outputs.onnxValue().get(tensors.get(i));
      long elements = validElements(shapes.get(name), valid);
      HistogramKernels.Launch l = HistogramKernels.launch(elements, HistogramKernels.BLOCK, maxBlocks);
      if (l != null) {
        kernels.launch(HistogramKernels.ABS_MAX, l.blocks(), l.threads(), 0, runner.stream(),
            runner.deviceBuffer(name), elements, at(maxWords, (long) i * HistogramKernels.ABS_MAX_WORDS * 4));
      }
    }
    IntPointer host = new IntPointer((long) Math.max(1, n) * HistogramKernels.ABS_MAX_WORDS);
    TensorRt.check(cudaMemcpyAsync(host, maxWords, host.capacity() * 4, cudaMemcpyDeviceToHost, runner.stream()),
        "copy maxima from GPU");
    runner.synchronize();
    Map<String, Float> ranges = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      int base = i * HistogramKernels.ABS_MAX_WORDS;
      if (host.get(base + HistogramKernels.NONFINITE) != 0) {
        throw new NonFiniteActivationException(tensors.get(i),
            Float.intBitsToFloat(host.get(base + HistogramKernels.NONFINITE_BITS)));
      }
      ranges.put(tensors.get(i), Float.intBitsToFloat(host.get(base + HistogramKernels.MAX_BITS)));
    }
    host.close();
    return ranges;
  }

  @Override
  public void accumulate(Map<String, HostTensor> feeds, int valid, HistogramSet into) {
    Map<String, long[]> shapes = runner.enqueue(feeds);
    int n = tensors.size();
    long[] elements = new long[n];
    TensorRt.check(cudaMemsetAsync(counts, 0, (long) Math.max(1, n) * bins * 8, runner.stream()), "cudaMemsetAsync");
    TensorRt.check(cudaMemsetAsync(stats, 0, (long) Math.max(1, n) * HistogramKernels.STAT_WORDS * 8, runner.stream()),
        "cudaMemsetAsync");
    for (int i = 0; i < n; i++) {
      String t = tensors.get(i);
      AbsHistogram h = into.get(t);
      if (h.initialBins() != bins) {
        throw new IllegalArgumentException("GPU histograms have " + bins + " bins; " + t + " has " + h.initialBins());
      }
      String name = outputs.onnxValue().get(t);
      elements[i] = validElements(shapes.get(name), valid);
      HistogramKernels.Launch l = HistogramKernels.launch(elements[i], HistogramKernels.BLOCK, maxBlocks);
      if (l != null) {
        kernels.launch(HistogramKernels.HISTOGRAM, l.blocks(), l.threads(), HistogramKernels.sharedBytes(bins),
            runner.stream(), runner.deviceBuffer(name), elements[i], h.inverseWidth(), h.edge(), bins,
            at(counts, (long) i * bins * 8), at(stats, (long) i * HistogramKernels.STAT_WORDS * 8));
      }
    }
    LongPointer hostCounts = new LongPointer((long) Math.max(1, n) * bins);
    LongPointer hostStats = new LongPointer((long) Math.max(1, n) * HistogramKernels.STAT_WORDS);
    TensorRt.check(cudaMemcpyAsync(hostCounts, counts, hostCounts.capacity() * 8, cudaMemcpyDeviceToHost,
        runner.stream()), "copy histograms from GPU");
    TensorRt.check(cudaMemcpyAsync(hostStats, stats, hostStats.capacity() * 8, cudaMemcpyDeviceToHost,
        runner.stream()), "copy histogram statistics from GPU");
    runner.synchronize();
    long[] c = new long[bins];
    for (int i = 0; i < n; i++) {
      String t = tensors.get(i);
      long base = (long) i * HistogramKernels.STAT_WORDS;
      if (hostStats.get(base + HistogramKernels.STAT_NONFINITE) != 0) {
        throw new NonFiniteActivationException(t,
            Float.intBitsToFloat((int) hostStats.get(base + HistogramKernels.STAT_NONFINITE_BITS)));
      }
      AbsHistogram h = into.get(t);
      if (hostStats.get(base + HistogramKernels.STAT_OVERFLOW) != 0) {
        // Values past the range (ranges from other data): count this tensor's batch on the host, exactly.
        h.add(download(outputs.onnxValue().get(t), elements[i]), 0, (int) elements[i]);
        continue;
      }
      hostCounts.position((long) i * bins).get(c);
      hostCounts.position(0);
      h.addCounts(c, elements[i],
          HistogramKernels.fromOrderedBits(~(int) hostStats.get(base + HistogramKernels.STAT_MIN)),
          HistogramKernels.fromOrderedBits((int) hostStats.get(base + HistogramKernels.STAT_MAX)),
          Double.longBitsToDouble(hostStats.get(base + HistogramKernels.STAT_SUM)),
          Double.longBitsToDouble(hostStats.get(base + HistogramKernels.STAT_SUMSQ)));
    }
    hostCounts.close();
    hostStats.close();
    into.addSamples(valid);
  }

  /** Upload, enqueueV3 and wait, without the kernels: the engine's own cost (benchmarks). */
  public void inferOnly(Map<String, HostTensor> feeds) {
    runner.enqueue(feeds);
    runner.synchronize();
  }

  /** Seconds the engine build took (about 0 when this JVM had built the same engine before). */
  public double engineBuildSeconds() {
    return buildSeconds;
  }

  public CalibrationOutputs outputs() {
    return outputs;
  }

  @Override
  public String device() {
    return "gpu";
  }

  private float[] download(String name, long elements) {
    FloatPointer host = new FloatPointer(Math.max(1, elements));
    TensorRt.check(cudaMemcpy(host, runner.deviceBuffer(name), elements * 4, cudaMemcpyDeviceToHost), "copy activation");
    float[] out = new float[(int) elements];
    host.get(out);
    host.close();
    return out;
  }

  /** First {@code valid} samples of a batch-leading tensor, as {@link ActivationCollector} counts them. */
  static long validElements(long[] shape, int valid) {
    long count = HostTensor.elementCount(shape);
    if (shape.length == 0 || shape[0] == 0) {
      return count;
    }
    return count / shape[0] * valid;
  }

  /** A device address {@code bytes} past {@code base}. */
  static Pointer at(Pointer base, long bytes) {
    // Not named `address`: inside the anonymous class that name is Pointer's own field, and
    // `address = address` would silently keep the base address (every tensor counted into the first).
    long target = base.address() + bytes;
    return new Pointer(base) {
      {
        address = target;
      }
    };
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    freeAll(runner, kernels, null);
  }

  private void freeAll(EngineRunner r, CudaModule k, RuntimeException pending) {
    RuntimeException failure = pending;
    for (Pointer p : new Pointer[] {maxWords, counts, stats}) {
      if (!p.isNull()) {
        int rc = cudaFree(p);
        if (rc != 0) {
          failure = chain(failure, new IllegalStateException("cudaFree failed: CUDA error " + rc));
        }
        p.setNull();
      }
    }
    try {
      if (k != null) {
        k.close();
      }
    } catch (RuntimeException e) {
      failure = chain(failure, e);
    }
    try {
      r.close();
    } catch (RuntimeException e) {
      failure = chain(failure, e);
    }
    if (failure != null && failure != pending) {
      throw failure;
    }
  }

  private static RuntimeException chain(RuntimeException first, RuntimeException next) {
    if (first == null) {
      return next;
    }
    first.addSuppressed(next);
    return first;
  }
}
