package io.trtfleet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.trtfleet.TrtfleetException;
import io.trtfleet.tensorrt.EngineBenchmark;
import io.trtfleet.tensorrt.EngineRunner;
import io.trtfleet.tensorrt.GpuUnavailableException;
import io.trtfleet.tensorrt.ServingThroughput;
import io.trtfleet.tensorrt.TensorRt;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trtfleet bench}: latency at batch 1 and throughput at the given batch sizes of a serialized engine. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmark a TensorRT engine (.plan): batch-1 latency p50/p99 and throughput per batch size.")
public final class BenchCommand implements Callable<Integer> {

  @Option(names = "--engine", required = true, paramLabel = "FILE", description = "serialized engine (.plan)")
  Path engine;

  @Option(names = "--batch", defaultValue = "1", split = ",", paramLabel = "N[,N...]",
      description = "batch sizes for throughput (default: ${DEFAULT-VALUE})")
  List<Integer> batches;

  @Option(names = "--iterations", defaultValue = "200", description = "timed iterations (default: ${DEFAULT-VALUE})")
  int iterations;

  @Option(names = "--streams", split = ",", paramLabel = "N[,N...]",
      description = "also measure serving throughput at each batch with N execution contexts on N CUDA streams")
  List<Integer> streams = List.of();

  @Option(names = "--cuda-graph", description = "serving throughput with each context's enqueue captured as a CUDA graph")
  boolean cudaGraph;

  @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON")
  Path json;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (!Files.isRegularFile(engine)) {
      throw new TrtfleetException("--engine " + engine + " is not a file: give a .plan written by trtfleet build");
    }
    if (batches.stream().anyMatch(b -> b < 1)) {
      throw new TrtfleetException("--batch sizes must be at least 1, got " + batches);
    }
    if (streams.stream().anyMatch(n -> n < 1)) {
      throw new TrtfleetException("--streams must be at least 1, got " + streams);
    }
    if (iterations < 1) {
      throw new TrtfleetException("--iterations must be at least 1, got " + iterations);
    }
    TensorRt.unavailableReason().ifPresent(why -> {
      throw new GpuUnavailableException(why);
    });
    EngineBenchmark b;
    List<ServingThroughput.Result> serving = new ArrayList<>();
    List<Integer> lanes = streams.isEmpty() && cudaGraph ? List.of(1) : streams;
    try (EngineRunner runner = new EngineRunner(Files.readAllBytes(engine))) {
      b = EngineBenchmark.run(runner, batches, iterations);
      for (int batch : batches) {
        for (int n : lanes) {
          serving.add(ServingThroughput.measure(runner, new ServingThroughput.Settings(batch, n, cudaGraph, iterations)));
        }
      }
    }
    PrintWriter o = spec.commandLine().getOut();
    o.printf(Locale.ROOT, "%s: batch 1 p50 %.3f ms p99 %.3f ms; %s%n", engine.getFileName(), b.latency().p50Ms(),
        b.latency().p99Ms(), throughputLine(b));
    for (ServingThroughput.Result r : serving) {
      o.printf(Locale.ROOT, "  serving: batch %d, %d stream(s)%s: %.0f samples/s%n", r.settings().batch(),
          r.settings().streams(), r.settings().cudaGraph() ? ", CUDA graph" : "", r.samplesPerSecond());
    }
    if (json != null) {
      Files.write(json, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsBytes(Map.of("benchmark", b, "serving", serving)));
      o.println("wrote " + json);
    }
    o.flush();
    return 0;
  }

  static String throughputLine(EngineBenchmark b) {
    return b.throughput().stream()
        .map(t -> String.format(Locale.ROOT, "batch %d: %.0f samples/s (%.3f ms/batch)", t.batch(), t.samplesPerSecond(),
            t.meanMsPerBatch()))
        .collect(Collectors.joining(", "));
  }
}
