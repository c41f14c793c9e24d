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
import java.util.ArrayList;
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
 *
 * <p>Per batch the inputs go through page-locked staging buffers ({@link EngineRunner#stage}), and one
 * launch of each kernel covers every tensor ({@link HistogramKernels#table}). Pass 2 is pipelined:
 * {@link #accumulate} returns while the GPU still counts its batch, so that the host copies the next
 * batch meanwhile; {@link #flush} (also done by the next call of any pass) folds the last one in, and
 * until then its {@link HistogramSet} refuses to be read.
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
  /** The batch {@link #accumulate} left on the GPU, not yet folded into its set; null when none. */
  private InFlight pending;
  private boolean closed;

  private record InFlight(HistogramSet into, int valid, long[] elements) {}

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
    EngineRunner.Staged staged = runner.stage(feeds);
    flush();
    long[] elements = validElements(runner.enqueue(staged), valid);
    int n = tensors.size();
    List<HistogramKernels.Job> jobs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      jobs.add(new HistogramKernels.Job(runner.deviceBuffer(onnxValue(i)).address(), elements[i], 0, 0, 0,
          (long) i * HistogramKernels.ABS_MAX_WORDS));
    }
    TensorRt.check(cudaMemsetAsync(buffers.maxWords, 0, buffers.maxWordsBytes(), runner.stream()), "cudaMemsetAsync");
    launch(HistogramKernels.ABS_MAX, jobs, 0, buffers.maxWords);
    IntPointer host = buffers.hostMaxWords;
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
    return ranges;
  }

  /**
   * Copies the batch into page-locked memory while the GPU still counts the previous one, folds the
   * previous batch's counts into its set, then enqueues this batch and returns without waiting for it:
   * {@code into} cannot be read (it throws) until {@link #flush} has folded this batch in.
   */
  @Override
  public void accumulate(Map<String, HostTensor> feeds, int valid, HistogramSet into) {
    EngineRunner.Staged staged = runner.stage(feeds);
    flush();
    int n = tensors.size();
    AbsHistogram[] histograms = new AbsHistogram[n];
    for (int i = 0; i < n; i++) {
      histograms[i] = into.get(tensors.get(i));
      if (histograms[i].initialBins() != bins) {
        throw new IllegalArgumentException("GPU histograms have " + bins + " bins; " + tensors.get(i) + " has "
            + histograms[i].initialBins());
      }
    }
    long[] elements = validElements(runner.enqueue(staged), valid);
    List<HistogramKernels.Job> jobs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      jobs.add(new HistogramKernels.Job(runner.deviceBuffer(onnxValue(i)).address(), elements[i],
          histograms[i].inverseWidth(), histograms[i].edge(), (long) i * bins, (long) i * HistogramKernels.STAT_WORDS));
    }
    TensorRt.check(cudaMemsetAsync(buffers.counts, 0, buffers.countsBytes(), runner.stream()), "cudaMemsetAsync");
    TensorRt.check(cudaMemsetAsync(buffers.stats, 0, buffers.statsBytes(), runner.stream()), "cudaMemsetAsync");
    launch(HistogramKernels.HISTOGRAM, jobs, HistogramKernels.sharedBytes(bins), bins, buffers.counts, buffers.stats);
    TensorRt.check(cudaMemcpyAsync(buffers.hostCounts, buffers.counts, buffers.countsBytes(), cudaMemcpyDeviceToHost,
        runner.stream()), "copy histograms from GPU");
    TensorRt.check(cudaMemcpyAsync(buffers.hostStats, buffers.stats, buffers.statsBytes(), cudaMemcpyDeviceToHost,
        runner.stream()), "copy histogram statistics from GPU");
    into.batchInFlight(device());
    pending = new InFlight(into, valid, elements);
  }

  /** Waits for the batch {@link #accumulate} left on the GPU and folds its counts into its set. */
  @Override
  public void flush() {
    if (pending == null) {
      return;
    }
    InFlight batch = pending;
    pending = null;
    runner.synchronize();
    batch.into().batchLanded();
    fold(batch);
  }

  /** One launch over every tensor of the batch: the table, then {@code kernel(table, jobs, args...)}. */
  private void launch(String kernel, List<HistogramKernels.Job> jobs, int sharedBytes, Object... args) {
    HistogramKernels.Table t = HistogramKernels.table(jobs, HistogramKernels.BLOCK, maxBlocks);
    if (t.jobs() == 0) {
      return;
    }
    buffers.uploadTable(t.words(), runner.stream());
    Object[] all = new Object[args.length + 2];
    all[0] = buffers.table;
    all[1] = t.jobs();
    System.arraycopy(args, 0, all, 2, args.length);
    kernels.launch(kernel, t.blocks(), HistogramKernels.BLOCK, sharedBytes, runner.stream(), all);
  }

  /**
   * Adds a finished batch's counts (in the page-locked mirrors) to its set. The activation buffers still
   * hold that batch (nothing was enqueued since), which the exact host recount of overflowing tensors reads.
   */
  private void fold(InFlight batch) {
    long[] c = new long[bins];
    LongPointer hostStats = buffers.hostStats;
    LongPointer hostCounts = buffers.hostCounts;
    for (int i = 0; i < tensors.size(); i++) {
      String t = tensors.get(i);
      long elements = batch.elements()[i];
      long base = (long) i * HistogramKernels.STAT_WORDS;
      if (hostStats.get(base + HistogramKernels.STAT_NONFINITE) != 0) {
        throw new NonFiniteActivationException(t,
            Float.intBitsToFloat((int) hostStats.get(base + HistogramKernels.STAT_NONFINITE_BITS)));
      }
      AbsHistogram h = batch.into().get(t);
      if (hostStats.get(base + HistogramKernels.STAT_OVERFLOW) != 0) {
        // Values past the range (ranges from other data): count this tensor's batch on the host, exactly.
        h.add(download(onnxValue(i), elements), 0, (int) elements);
        continue;
      }
      hostCounts.position((long) i * bins).get(c);
      hostCounts.position(0);
      h.addCounts(c, elements,
          HistogramKernels.fromOrderedBits(~(int) hostStats.get(base + HistogramKernels.STAT_MIN)),
          HistogramKernels.fromOrderedBits((int) hostStats.get(base + HistogramKernels.STAT_MAX)),
          Double.longBitsToDouble(hostStats.get(base + HistogramKernels.STAT_SUM)),
          Double.longBitsToDouble(hostStats.get(base + HistogramKernels.STAT_SUMSQ)));
    }
    batch.into().addSamples(batch.valid());
  }

  /** Upload, enqueueV3 and wait, without the kernels: the engine's own cost (benchmarks). */
  public void inferOnly(Map<String, HostTensor> feeds) {
    EngineRunner.Staged staged = runner.stage(feeds);
    flush();
    runner.enqueue(staged);
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

  /** {@link #validElements(long[], int)} of every calibration tensor, given the batch's I/O shapes. */
  private long[] validElements(Map<String, long[]> shapes, int valid) {
    long[] elements = new long[tensors.size()];
    for (int i = 0; i < elements.length; i++) {
      elements[i] = validElements(shapes.get(onnxValue(i)), valid);
    }
    return elements;
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
    if (pending != null) {
      // Dropped, not folded: its set stays unreadable, so the caller that forgot flush() fails loudly.
      LOG.warn("GPU collector closed with a batch of {} samples not flushed: its histograms are incomplete",
          pending.valid());
      pending = null;
    }
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
