package io.trtfleet.tensorrt;

import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaGraphDestroy;
import static org.bytedeco.cuda.global.cudart.cudaGraphExecDestroy;
import static org.bytedeco.cuda.global.cudart.cudaGraphInstantiate;
import static org.bytedeco.cuda.global.cudart.cudaGraphLaunch;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaStreamBeginCapture;
import static org.bytedeco.cuda.global.cudart.cudaStreamCaptureModeThreadLocal;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreate;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamEndCapture;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import io.trtfleet.graph.HostTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUgraphExec_st;
import org.bytedeco.cuda.cudart.CUgraph_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;

/**
 * Throughput of one engine run as a serving process runs it (trtexec's {@code --streams} and
 * {@code --useCudaGraph}): {@code streams} execution contexts, each with its own buffers and CUDA stream,
 * enqueued round-robin so one context's tail overlaps the next one's head; optionally each context's
 * enqueue captured once as a CUDA graph and replayed with one launch, which removes TensorRT's per-layer
 * launch cost from the host. Wall clock over all streams, after warm-ups.
 */
public final class ServingThroughput {

  /** Settings of one measurement; {@code streams} contexts of one engine, each at {@code batch}. */
  public record Settings(int batch, int streams, boolean cudaGraph, int iterations) {
    public Settings {
      if (batch < 1 || streams < 1 || iterations < 1) {
        throw new IllegalArgumentException("batch, streams and iterations must be at least 1, got batch " + batch
            + ", streams " + streams + ", iterations " + iterations);
      }
    }
  }

  /** Samples per second over all streams, and the mean time of one batch on one stream. */
  public record Result(Settings settings, double samplesPerSecond, double msPerBatchPerStream) {}

  private static final int WARMUPS = 20;

  private ServingThroughput() {}

  public static Result measure(EngineRunner runner, Settings s) {
    Map<String, long[]> shapes = EngineBenchmark.shapes(runner, s.batch());
    List<Lane> lanes = new ArrayList<>();
    try {
      for (int i = 0; i < s.streams(); i++) {
        lanes.add(new Lane(runner, shapes, s.cudaGraph()));
      }
      for (int i = 0; i < WARMUPS; i++) {
        lanes.forEach(Lane::launch);
      }
      lanes.forEach(Lane::synchronize);
      long t0 = System.nanoTime();
      for (int i = 0; i < s.iterations(); i++) {
        lanes.forEach(Lane::launch);
      }
      lanes.forEach(Lane::synchronize);
      double seconds = (System.nanoTime() - t0) / 1e9;
      double batches = (double) s.iterations() * s.streams();
      return new Result(s, batches * s.batch() / seconds, seconds * 1000 / s.iterations());
    } finally {
      RuntimeException failure = null;
      for (Lane lane : lanes) {
        try {
          lane.close();
        } catch (RuntimeException e) {
          if (failure == null) {
            failure = e;
          } else {
            failure.addSuppressed(e);
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
    }
  }

  /** One execution context with its own stream, buffers and (optionally) captured graph. */
  private static final class Lane implements AutoCloseable {
    private final IExecutionContext context;
    private final CUstream_st stream = new CUstream_st();
    private final List<Pointer> buffers = new ArrayList<>();
    private CUgraph_st graph;
    private CUgraphExec_st graphExec;

    Lane(EngineRunner runner, Map<String, long[]> shapes, boolean cudaGraph) {
      context = runner.engine().createExecutionContext();
      if (context == null || context.isNull()) {
        throw new IllegalStateException("TensorRT could not create another execution context (GPU memory?)");
      }
      try {
        prepare(runner, shapes, cudaGraph);
      } catch (RuntimeException e) {
        // A lane that failed half-way frees what it had; measure() closes only lanes it holds.
        throw TensorRt.closedAfter(e, this::close);
      }
    }

    private void prepare(EngineRunner runner, Map<String, long[]> shapes, boolean cudaGraph) {
      TensorRt.check(cudaStreamCreate(stream), "cudaStreamCreate");
      for (Map.Entry<String, long[]> in : shapes.entrySet()) {
        context.setInputShape(in.getKey(), EngineBuilder.dims(in.getValue()));
        long elements = HostTensor.elementCount(in.getValue());
        Pointer p = allocate(elements * runner.byteSize(in.getKey()));
        runner.fillForBenchmark(in.getKey(), p, elements);
        context.setTensorAddress(in.getKey(), p);
      }
      for (String out : runner.outputs()) {
        long[] shape = EngineBuilder.dims(context.getTensorShape(out));
        context.setTensorAddress(out, allocate(HostTensor.elementCount(shape) * runner.byteSize(out)));
      }
      // TensorRT defers some setup to the first enqueue; it must not be inside a capture.
      enqueue();
      synchronize();
      if (cudaGraph) {
        TensorRt.check(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
        enqueue();
        graph = new CUgraph_st();
        TensorRt.check(cudaStreamEndCapture(stream, graph), "cudaStreamEndCapture");
        graphExec = new CUgraphExec_st();
        TensorRt.check(cudaGraphInstantiate(graphExec, graph, 0L), "cudaGraphInstantiate");
      }
    }

    private Pointer allocate(long bytes) {
      Pointer p = new Pointer();
      TensorRt.check(cudaMalloc(p, Math.max(bytes, 256)), "cudaMalloc(" + bytes + ")");
      buffers.add(p);
      return p;
    }

    private void enqueue() {
      if (!context.enqueueV3(stream)) {
        throw new IllegalStateException("TensorRT enqueueV3 failed");
      }
    }

    void launch() {
      if (graphExec != null) {
        TensorRt.check(cudaGraphLaunch(graphExec, stream), "cudaGraphLaunch");
      } else {
        enqueue();
      }
    }

    void synchronize() {
      TensorRt.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    }

    @Override
    public void close() {
      List<String> failed = new ArrayList<>();
      if (graphExec != null && cudaGraphExecDestroy(graphExec) != 0) {
        failed.add("cudaGraphExecDestroy");
      }
      if (graph != null && cudaGraphDestroy(graph) != 0) {
        failed.add("cudaGraphDestroy");
      }
      for (Pointer p : buffers) {
        if (cudaFree(p) != 0) {
          failed.add("cudaFree");
        }
      }
      context.close();
      if (cudaStreamDestroy(stream) != 0) {
        failed.add("cudaStreamDestroy");
      }
      if (!failed.isEmpty()) {
        throw new IllegalStateException("releasing a benchmark context failed: " + failed);
      }
    }
  }
}
