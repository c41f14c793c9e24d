package io.trtfleet.tensorrt;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Times an engine the way serving sees it: latency of single enqueues at batch 1 (p50/p99, CUDA
 * events) and throughput of back-to-back enqueues at each configured batch size, after warm-ups. Input
 * shapes are the first profile's opt shapes with the batch dimension replaced; inputs are zeros
 * (timing does not depend on values for these networks).
 */
public record EngineBenchmark(EngineRunner.BenchmarkResult latency, List<EngineRunner.BenchmarkResult> throughput) {

  public static final int WARMUPS = 20;

  public EngineBenchmark {
    throughput = List.copyOf(throughput);
  }

  public static EngineBenchmark run(EngineRunner engine, List<Integer> batches, int iterations) {
    EngineRunner.BenchmarkResult latency = engine.benchmark(shapes(engine, 1), WARMUPS, iterations);
    List<EngineRunner.BenchmarkResult> throughput = new ArrayList<>();
    for (int b : batches) {
      throughput.add(engine.benchmark(shapes(engine, b), WARMUPS, iterations));
    }
    return new EngineBenchmark(latency, throughput);
  }

  /** Every input at batch {@code batch}; fails with the profile's range when the engine cannot take it. */
  static Map<String, long[]> shapes(EngineRunner engine, int batch) {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (String in : engine.inputs()) {
      long[] opt = engine.profileShape(in, 1);
      long[] min = engine.profileShape(in, 0);
      long[] max = engine.profileShape(in, 2);
      if (opt.length == 0 || batch < min[0] || batch > max[0]) {
        throw new IllegalArgumentException("batch " + batch + " is outside the engine's profile for " + in + " (batch "
            + (opt.length == 0 ? "none" : min[0] + ".." + max[0]) + "): rebuild with a wider profile or pick a batch in range");
      }
      long[] s = opt.clone();
      s[0] = batch;
      shapes.put(in, s);
    }
    return shapes;
  }
}
