package io.trtfleet.calibrate;

import static org.bytedeco.cuda.global.cudart.cudaMemcpy;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemsetAsync;

import io.trtfleet.convert.WholeGraphSegment;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.quantize.AbsHistogram;
import io.trtfleet.quantize.CalibrationCollector;
import io.trtfleet.quantize.HistogramSet;
import io.trtfleet.quantize.NonFiniteActivationException;
import io.trtfleet.segment.Segment;
import io.trtfleet.tensorrt.CudaModule;
import io.trtfleet.tensorrt.DeviceIdentity;
import io.trtfleet.tensorrt.EngineRunner;
import io.trtfleet.tensorrt.TensorRt;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
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
  private final CalibrationEngine engine;
  private final EngineRunner runner;
  private final CudaModule kernels;
  private final HistogramBuffers buffers;
  private final int bins = AbsHistogram.DEFAULT_BINS;
  private final int maxBlocks;
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
    engine = CalibrationEngine.build(graph, segment, this.tensors, device, ordinal, maxBatch);
    EngineRunner r = new EngineRunner(engine.plan());
    CudaModule k = null;
    HistogramBuffers b = null;
    try {
      for (String t : this.tensors) {
        String name = engine.outputs().onnxValue().get(t);
        if (!r.dataType(name).equals("float")) {
          throw new IllegalStateException("calibration target " + t + " (" + name + ") is " + r.dataType(name)
              + " in the engine, not float");
        }
      }
      k = new CudaModule(HistogramKernels.SOURCE, List.of(HistogramKernels.ABS_MAX, HistogramKernels.HISTOGRAM), ordinal);
      b = new HistogramBuffers(this.tensors.size(), bins);
    } catch (RuntimeException e) {
      closeAll(e, k, r);
      throw e;
    }
    runner = r;
    kernels = k;
    buffers = b;
    maxBlocks = HistogramKernels.maxBlocks(k.multiprocessors());
    LOG.info("GPU calibration engine for {} tensors ({} extra outputs) on {} built in {} s", this.tensors.size(),
        engine.outputs().extraOutputs().size(), device.gpuName(), String.format("%.1f", engine.buildSeconds()));
  }

  @Override
  public Map<String, Float> ranges(Map<String, HostTensor> feeds, int valid) {
    Map<String, long[]> shapes = runner.enqueue(feeds);
    int n = tensors.size();
    TensorRt.check(cudaMemsetAsync(buffers.maxWords, 0, buffers.maxWordsBytes(), runner.stream()), "cudaMemsetAsync");
    for (int i = 0; i < n; i++) {
      String name = onnxValue(i);
      long elements = validElements(shapes.get(name), valid);
      HistogramKernels.Launch l = HistogramKernels.launch(elements, HistogramKernels.BLOCK, maxBlocks);
      if (l != null) {
        kernels.launch(HistogramKernels.ABS_MAX, l.blocks(), l.threads(), 0, runner.stream(),
            runner.deviceBuffer(name), elements, buffers.maxWordsOf(i));
      }
    }
    IntPointer host = new IntPointer(buffers.maxWordsBytes() / 4);
    TensorRt.check(cudaMemcpyAsync(host, buffers.maxWords, buffers.maxWordsBytes(), cudaMemcpyDeviceToHost,
        runner.stream()), "copy maxima from GPU");
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
    TensorRt.check(cudaMemsetAsync(buffers.counts, 0, buffers.countsBytes(), runner.stream()), "cudaMemsetAsync");
    TensorRt.check(cudaMemsetAsync(buffers.stats, 0, buffers.statsBytes(), runner.stream()), "cudaMemsetAsync");
    for (int i = 0; i < n; i++) {
      String t = tensors.get(i);
      AbsHistogram h = into.get(t);
      if (h.initialBins() != bins) {
        throw new IllegalArgumentException("GPU histograms have " + bins + " bins; " + t + " has " + h.initialBins());
      }
      String name = onnxValue(i);
      elements[i] = validElements(shapes.get(name), valid);
      HistogramKernels.Launch l = HistogramKernels.launch(elements[i], HistogramKernels.BLOCK, maxBlocks);
      if (l != null) {
        kernels.launch(HistogramKernels.HISTOGRAM, l.blocks(), l.threads(), HistogramKernels.sharedBytes(bins),
            runner.stream(), runner.deviceBuffer(name), elements[i], h.inverseWidth(), h.edge(), bins,
            buffers.countsOf(i), buffers.statsOf(i));
      }
    }
    LongPointer hostCounts = new LongPointer(buffers.countsBytes() / 8);
    LongPointer hostStats = new LongPointer(buffers.statsBytes() / 8);
    TensorRt.check(cudaMemcpyAsync(hostCounts, buffers.counts, buffers.countsBytes(), cudaMemcpyDeviceToHost,
        runner.stream()), "copy histograms from GPU");
    TensorRt.check(cudaMemcpyAsync(hostStats, buffers.stats, buffers.statsBytes(), cudaMemcpyDeviceToHost,
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
        h.add(download(onnxValue(i), elements[i]), 0, (int) elements[i]);
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
    return engine.buildSeconds();
  }

  public CalibrationOutputs outputs() {
    return engine.outputs();
  }

  @Override
  public String device() {
    return "gpu";
  }

  private String onnxValue(int tensor) {
    return engine.outputs().onnxValue().get(tensors.get(tensor));
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

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closeAll(null, buffers, kernels, runner);
  }

  /** Closes every resource (nulls skipped); the first failure is thrown, or added to {@code pending}. */
  private static void closeAll(RuntimeException pending, AutoCloseable... resources) {
    RuntimeException failure = pending;
    for (AutoCloseable c : resources) {
      if (c == null) {
        continue;
      }
      try {
        c.close();
      } catch (Exception e) {
        RuntimeException r = e instanceof RuntimeException re ? re : new IllegalStateException(e);
        if (failure == null) {
          failure = r;
        } else {
          failure.addSuppressed(r);
        }
      }
    }
    if (failure != null && failure != pending) {
      throw failure;
    }
  }
}
