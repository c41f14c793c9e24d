package io.trtfleet.tensorrt;

import static org.bytedeco.cuda.global.cudart.cudaEventCreate;
import static org.bytedeco.cuda.global.cudart.cudaEventElapsedTime;
import static org.bytedeco.cuda.global.cudart.cudaEventRecord;
import static org.bytedeco.cuda.global.cudart.cudaEventSynchronize;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMemcpy;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaMemset;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreate;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;
import static org.bytedeco.tensorrt.global.nvinfer.createInferRuntime;

import io.trtfleet.graph.HostTensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorrt.global.nvinfer.TensorFormat;
import org.bytedeco.tensorrt.global.nvinfer.TensorIOMode;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;
import org.bytedeco.tensorrt.nvinfer.IRuntime;
import org.tensorflow.proto.DataType;

/**
 * Runs a serialized engine on the GPU: inference on host tensors (validation) and timing with CUDA
 * events (benchmarks). Device buffers are allocated per I/O tensor and grown on demand. One runner per
 * thread. Host tensors have the model's (TensorFlow's) shapes, also for NHWC images the engine binds NCHW
 * ({@link ImageBinding}: channel-last ones keep their bytes, channel-first ones are transposed on the host);
 * {@link #profileShape} and {@link #benchmark} speak the engine's dimensions.
 */
public final class EngineRunner implements io.trtfleet.graph.ModelRunner {

  private final IRuntime runtime;
  private final ICudaEngine engine;
  private final IExecutionContext context;
  private final CUstream_st stream = new CUstream_st();
  private final Map<String, Pointer> buffers = new HashMap<>();
  private final Map<String, Long> capacity = new HashMap<>();
  private final List<String> inputs;
  private final List<String> outputs;
  private final Set<String> channelLast = new HashSet<>();
  private final Set<String> channelFirst;
  private final PinnedStaging staging;
  private long stagedBatches;
  private boolean closed;

  /** Runs {@code engine}, taking from its metadata which inputs it binds channel-first. */
  public EngineRunner(EngineArtifact engine) {
    this(engine.plan(), engine.metadata() == null ? Set.of() : engine.metadata().channelFirstInputs());
  }

  /**
   * Runs a plan alone: host tensors must come in the engine's own layout for inputs bound channel-first
   * (the plan cannot tell those from NCHW model inputs); benchmarks, which fill the engine's dimensions, need
   * nothing more.
   */
  public EngineRunner(byte[] plan) {
    this(plan, Set.of());
  }

  private EngineRunner(byte[] plan, Set<String> channelFirst) {
    TensorRt.require();
    this.channelFirst = Set.copyOf(channelFirst);
    runtime = createInferRuntime(TrtLogger.INSTANCE);
    engine = runtime.deserializeCudaEngine(new BytePointer(plan), plan.length);
    if (engine == null || engine.isNull()) {
      throw new EngineBuildException("TensorRT could not deserialize the engine: built for another GPU or TensorRT version?");
    }
    context = engine.createExecutionContext();
    TensorRt.check(cudaStreamCreate(stream), "cudaStreamCreate");
    staging = new PinnedStaging();
    List<String> in = new java.util.ArrayList<>();
    List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < engine.getNbIOTensors(); i++) {
      String name = engine.getIOTensorName(i);
      BytePointer n = new BytePointer(name);
      (engine.getTensorIOMode(n) == TensorIOMode.kINPUT.value ? in : out).add(name);
      if (engine.getTensorFormat(n) == TensorFormat.kHWC.value) {
        channelLast.add(name);
      }
    }
    inputs = List.copyOf(in);
    outputs = List.copyOf(out);
  }

  public List<String> inputs() {
    return inputs;
  }

  public List<String> outputs() {
    return outputs;
  }

  /** Runs one batch; inputs and outputs keyed by engine tensor name, FP32/INT32 host data. */
  @Override
  public Map<String, HostTensor> run(Map<String, HostTensor> feeds) {
    Map<String, long[]> outShapes = enqueue(feeds);
    TensorRt.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    Map<String, HostTensor> result = new LinkedHashMap<>();
    for (String name : outputs) {
      long[] shape = outShapes.get(name);
      DataType dtype = hostType(name);
      byte[] bytes = new byte[(int) (HostTensor.elementCount(shape) * HostTensor.byteSize(dtype))];
      BytePointer host = new BytePointer(bytes.length);
      TensorRt.check(cudaMemcpy(host, buffers.get(name), bytes.length, cudaMemcpyDeviceToHost), "copy from GPU");
      host.get(bytes);
      result.put(name, new HostTensor(dtype, shape, bytes));
    }
    return result;
  }

  /**
   * An input's shape in the first optimization profile: {@code which} is 0 (min), 1 (opt) or 2 (max),
   * TensorRT's OptProfileSelector order.
   */
  public long[] profileShape(String input, int which) {
    return EngineBuilder.dims(engine.getProfileShape(new BytePointer(input), 0, which));
  }

  /** {@link #stage} then {@link #enqueue(Staged)}: uploads the inputs and enqueues the engine without waiting. */
  public Map<String, long[]> enqueue(Map<String, HostTensor> feeds) {
    return enqueue(stage(feeds));
  }

  /**
   * Checks the feeds and copies their bytes into page-locked host memory: host work only, so it may run
   * while the GPU still works on the previous batch. Only the latest staged batch can be enqueued.
   */
  public Staged stage(Map<String, HostTensor> feeds) {
    int slot = staging.acquire();
    List<StagedInput> staged = new java.util.ArrayList<>();
    for (String name : inputs) {
      HostTensor t = feeds.get(name);
      if (t == null) {
        throw new IllegalArgumentException("engine input '" + name + "' not fed (fed: " + feeds.keySet() + ")");
      }
      checkType(name, t.dtype());
      byte[] data = channelFirst.contains(name) ? t.nhwcToNchw().data() : t.data();
      BytePointer host = staging.buffer(slot, name, data.length);
      host.position(0).put(data);
      staged.add(new StagedInput(name, t.shape(), host, data.length));
    }
    return new Staged(++stagedBatches, slot, staged);
  }

  /**
   * Uploads a staged batch ({@code cudaMemcpyAsync} from page-locked memory), binds every I/O buffer and
   * enqueues the engine on {@link #stream()} without waiting: the outputs are in {@link #deviceBuffer}
   * once the stream reaches that point. Returns the shape of every I/O tensor of this batch.
   */
  public Map<String, long[]> enqueue(Staged batch) {
    if (batch.sequence != stagedBatches) {
      throw new IllegalStateException("staged batch " + batch.sequence + " is stale: batch " + stagedBatches
          + " was staged after it (its page-locked buffers may have been reused)");
    }
    Map<String, long[]> inShapes = new HashMap<>();
    for (StagedInput in : batch.inputs) {
      boolean nchw = channelLast.contains(in.name()) || channelFirst.contains(in.name());
      long[] dims = nchw ? NhwcImageInputs.nchw(in.shape()) : in.shape();
      context.setInputShape(in.name(), EngineBuilder.dims(dims));
      Pointer dev = buffer(in.name(), in.bytes());
      TensorRt.check(cudaMemcpyAsync(dev, in.host(), in.bytes(), cudaMemcpyHostToDevice, stream), "copy to GPU");
      inShapes.put(in.name(), in.shape());
    }
    staging.uploaded(batch.slot, stream);
    Map<String, long[]> shapes = bindOutputs();
    shapes.putAll(inShapes);
    if (!context.enqueueV3(stream)) {
      throw new IllegalStateException("TensorRT enqueueV3 failed");
    }
    return shapes;
  }

  /** The device buffer bound to I/O tensor {@code name} (valid until the next larger batch regrows it). */
  public Pointer deviceBuffer(String name) {
    Pointer p = buffers.get(name);
    if (p == null) {
      throw new IllegalArgumentException("no device buffer for '" + name + "' (I/O tensors: " + inputs + " " + outputs + ")");
    }
    return p;
  }

  /** The deserialized engine, for benchmarks that run it in more execution contexts. */
  ICudaEngine engine() {
    return engine;
  }

  /** The stream the engine runs on: kernels launched on it run after the engine. */
  public CUstream_st stream() {
    return stream;
  }

  public void synchronize() {
    TensorRt.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
  }

  /** TensorRT's type of an I/O tensor as a name: float, half, int32, ... */
  public String dataType(String name) {
    return EngineBuilder.typeName(trtType(name));
  }

  /** Latency at one batch size (per-enqueue CUDA event timing) and throughput (back-to-back enqueues). */
  public BenchmarkResult benchmark(Map<String, long[]> inputShapes, int warmups, int iterations) {
    long batch = 0;
    for (String name : inputs) {
      long[] shape = inputShapes.get(name);
      batch = shape[0];
      context.setInputShape(name, EngineBuilder.dims(shape));
      long elements = HostTensor.elementCount(shape);
      fillForBenchmark(name, buffer(name, elements * byteSize(name)), elements);
    }
    bindOutputs();
    for (int i = 0; i < warmups; i++) {
      context.enqueueV3(stream);
    }
    TensorRt.check(cudaStreamSynchronize(stream), "warm-up");
    CUevent_st start = new CUevent_st();
    CUevent_st stop = new CUevent_st();
    TensorRt.check(cudaEventCreate(start), "cudaEventCreate");
    TensorRt.check(cudaEventCreate(stop), "cudaEventCreate");
    double[] latencies = new double[iterations];
    float[] ms = new float[1];
    for (int i = 0; i < iterations; i++) {
      cudaEventRecord(start, stream);
      context.enqueueV3(stream);
      cudaEventRecord(stop, stream);
      TensorRt.check(cudaEventSynchronize(stop), "cudaEventSynchronize");
      cudaEventElapsedTime(ms, start, stop);
      latencies[i] = ms[0];
    }
    cudaEventRecord(start, stream);
    for (int i = 0; i < iterations; i++) {
      context.enqueueV3(stream);
    }
    cudaEventRecord(stop, stream);
    TensorRt.check(cudaEventSynchronize(stop), "cudaEventSynchronize");
    cudaEventElapsedTime(ms, start, stop);
    double perIteration = ms[0] / iterations;
    Arrays.sort(latencies);
    return new BenchmarkResult((int) batch, latencies[iterations / 2], latencies[Math.min(iterations - 1, iterations * 99 / 100)],
        perIteration, batch * 1000.0 / perIteration, iterations);
  }

  /** Random floating-point input (see {@link BenchmarkInput}); zeros for integer and boolean inputs. */
  void fillForBenchmark(String name, Pointer device, long elements) {
    int t = trtType(name);
    long bytes = elements * byteSize(name);
    if (t == nvinfer.DataType.kFLOAT.value || t == nvinfer.DataType.kHALF.value) {
      try (BytePointer host = BenchmarkInput.of(hostType(name), elements, 1)) {
        TensorRt.check(cudaMemcpy(device, host, bytes, cudaMemcpyHostToDevice), "copy benchmark input to GPU");
      }
    } else {
      TensorRt.check(cudaMemset(device, 0, bytes), "cudaMemset");
    }
  }

  private Map<String, long[]> bindOutputs() {
    Map<String, long[]> shapes = new HashMap<>();
    for (String name : inputs) {
      context.setTensorAddress(name, buffers.get(name));
    }
    for (String name : outputs) {
      long[] shape = EngineBuilder.dims(context.getTensorShape(name));
      shapes.put(name, shape);
      context.setTensorAddress(name, buffer(name, HostTensor.elementCount(shape) * byteSize(name)));
    }
    return shapes;
  }

  private Pointer buffer(String name, long bytes) {
    Pointer p = buffers.get(name);
    if (p == null || capacity.get(name) < bytes) {
      if (p != null) {
        cudaFree(p);
      }
      p = new Pointer();
      TensorRt.check(cudaMalloc(p, Math.max(bytes, 256)), "cudaMalloc(" + bytes + ")");
      buffers.put(name, p);
      capacity.put(name, bytes);
    }
    return p;
  }

  /** The engine's type of a tensor as TensorRT's integer code (the int overload avoids enum mapping). */
  private int trtType(String name) {
    return engine.getTensorDataType(new BytePointer(name));
  }

  int byteSize(String name) {
    int t = trtType(name);
    if (t == nvinfer.DataType.kFLOAT.value || t == nvinfer.DataType.kINT32.value) {
      return 4;
    }
    if (t == nvinfer.DataType.kHALF.value || t == nvinfer.DataType.kBF16.value) {
      return 2;
    }
    if (t == nvinfer.DataType.kINT8.value || t == nvinfer.DataType.kUINT8.value || t == nvinfer.DataType.kBOOL.value || t == nvinfer.DataType.kFP8.value) {
      return 1;
    }
    if (t == nvinfer.DataType.kINT64.value) {
      return 8;
    }
    throw new IllegalStateException("unsupported engine I/O type " + t + " of " + name);
  }

  private DataType hostType(String name) {
    int t = trtType(name);
    if (t == nvinfer.DataType.kFLOAT.value) {
      return DataType.DT_FLOAT;
    }
    if (t == nvinfer.DataType.kHALF.value) {
      return DataType.DT_HALF;
    }
    if (t == nvinfer.DataType.kINT32.value) {
      return DataType.DT_INT32;
    }
    if (t == nvinfer.DataType.kINT64.value) {
      return DataType.DT_INT64;
    }
    if (t == nvinfer.DataType.kINT8.value) {
      return DataType.DT_INT8;
    }
    if (t == nvinfer.DataType.kUINT8.value) {
      return DataType.DT_UINT8;
    }
    if (t == nvinfer.DataType.kBOOL.value) {
      return DataType.DT_BOOL;
    }
    throw new IllegalStateException("unsupported engine I/O type " + t + " of " + name);
  }

  private void checkType(String name, DataType fed) {
    if (hostType(name) != fed) {
      throw new IllegalArgumentException("engine input '" + name + "' is " + hostType(name) + ", fed " + fed);
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    // Nothing may still read the page-locked or device buffers when they are freed.
    int synced = cudaStreamSynchronize(stream);
    IllegalStateException failure = synced == 0 ? null
        : new IllegalStateException("cudaStreamSynchronize before close failed: CUDA error " + synced);
    for (Map.Entry<String, Pointer> b : buffers.entrySet()) {
      int rc = cudaFree(b.getValue());
      if (rc != 0 && failure == null) {
        failure = new IllegalStateException("cudaFree(" + b.getKey() + ") failed: CUDA error " + rc);
      }
    }
    buffers.clear();
    try {
      staging.close();
    } catch (IllegalStateException e) {
      if (failure == null) {
        failure = e;
      }
    }
    // TensorRT objects: context before engine before runtime (JavaCPP deletes what it owns on close).
    context.close();
    engine.close();
    runtime.close();
    int rc = cudaStreamDestroy(stream);
    if (rc != 0 && failure == null) {
      failure = new IllegalStateException("cudaStreamDestroy failed: CUDA error " + rc);
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** A batch in page-locked host memory ({@link #stage}), ready for {@link #enqueue(Staged)}. */
  public static final class Staged {
    private final long sequence;
    private final int slot;
    private final List<StagedInput> inputs;

    private Staged(long sequence, int slot, List<StagedInput> inputs) {
      this.sequence = sequence;
      this.slot = slot;
      this.inputs = List.copyOf(inputs);
    }
  }

  private record StagedInput(String name, long[] shape, BytePointer host, long bytes) {}

  /** Latency percentiles of single enqueues and the throughput of back-to-back ones, at one batch size. */
  public record BenchmarkResult(int batch, double p50Ms, double p99Ms, double meanMsPerBatch, double samplesPerSecond,
      int iterations) {}
}
