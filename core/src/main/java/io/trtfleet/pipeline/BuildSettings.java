package io.trtfleet.pipeline;

import io.trtfleet.convert.OptimizationProfile;
import io.trtfleet.convert.ProfileStrategy;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.segment.Segment;
import io.trtfleet.segment.SegmenterOptions;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a model is built besides its precision and backend: the optimization profiles (explicit ones
 * keyed by tensor name, or the strategy's over example batch sizes), the benchmark, and whether the
 * TF-TRT SavedModel is written. What {@code trtfleet build}'s options and a models.yaml entry give.
 *
 * @param batchSizes the batch sizes profiles cover (without explicit profiles) and throughput is measured at
 * @param benchmarkIterations timed iterations per benchmark; 0 skips the benchmark
 * @param segmenter how to segment; its precision is each build's own
 * @param mixedPrecision whether a quantized segment that misses its gate is rebuilt with its most
 *     sensitive tensors in float until it passes ({@link MixedPrecisionFallback})
 * @param rankingSamples held-out samples the sensitivity ranking of that search runs on (ONNX Runtime, CPU)
 */
public record BuildSettings(ProfileStrategy profileStrategy, List<Integer> batchSizes,
    List<OptimizationProfile> profiles, int benchmarkIterations, SegmenterOptions segmenter,
    boolean mixedPrecision, int rankingSamples) implements Serializable {

  public static final List<Integer> DEFAULT_BATCH_SIZES = List.of(1, 128);
  public static final int DEFAULT_BENCHMARK_ITERATIONS = 200;
  /** Enough to order tensors whose errors differ by a few percent; a ResNet-50 ranking on 16 cores takes minutes. */
  public static final int DEFAULT_RANKING_SAMPLES = 500;

  public BuildSettings {
    if (profileStrategy == null) {
      throw new IllegalArgumentException("profile strategy must be set");
    }
    batchSizes = List.copyOf(batchSizes);
    if (batchSizes.isEmpty() || batchSizes.stream().anyMatch(b -> b < 1)) {
      throw new IllegalArgumentException("batch sizes must be at least 1, got " + batchSizes);
    }
    profiles = List.copyOf(profiles);
    if (segmenter == null) {
      throw new IllegalArgumentException("segmenter options must be set");
    }
    if (rankingSamples < 1) {
      throw new IllegalArgumentException("the mixed-precision ranking needs at least 1 sample, got " + rankingSamples);
    }
    if (benchmarkIterations < 0) {
      throw new IllegalArgumentException("benchmark iterations must be 0 (no benchmark) or more, got "
          + benchmarkIterations);
    }
  }

  /**
   * The segment's input shapes at each batch size, what the profile strategy spans; empty when an input
   * has no rank or an unknown dimension besides the batch.
   */
  public Optional<List<Map<String, long[]>>> exampleShapes(Segment segment) {
    List<Map<String, long[]>> examples = new ArrayList<>();
    for (int b : batchSizes) {
      Map<String, long[]> e = new LinkedHashMap<>();
      for (TensorSpec in : segment.inputs()) {
        if (!in.hasRank()) {
          return Optional.empty();
        }
        long[] s = in.shape().clone();
        if (s.length > 0 && s[0] < 0) {
          s[0] = b;
        }
        if (Arrays.stream(s).anyMatch(d -> d < 0)) {
          return Optional.empty();
        }
        e.put(in.name(), s);
      }
      examples.add(e);
    }
    return Optional.of(examples);
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private ProfileStrategy profileStrategy = ProfileStrategy.RANGE;
    private List<Integer> batchSizes = DEFAULT_BATCH_SIZES;
    private List<OptimizationProfile> profiles = List.of();
    private int benchmarkIterations = DEFAULT_BENCHMARK_ITERATIONS;
    private SegmenterOptions segmenter = SegmenterOptions.defaults();
    private boolean mixedPrecision = true;
    private int rankingSamples = DEFAULT_RANKING_SAMPLES;

    private Builder() {}

    public Builder profileStrategy(ProfileStrategy s) {
      this.profileStrategy = s;
      return this;
    }

    public Builder batchSizes(List<Integer> b) {
      this.batchSizes = b;
      return this;
    }

    /** Explicit profiles, keyed by graph tensor name; they replace the strategy's. */
    public Builder profiles(List<OptimizationProfile> p) {
      this.profiles = p;
      return this;
    }

    public Builder benchmarkIterations(int n) {
      this.benchmarkIterations = n;
      return this;
    }

    public Builder segmenter(SegmenterOptions s) {
      this.segmenter = s;
      return this;
    }

    public Builder mixedPrecision(boolean on) {
      this.mixedPrecision = on;
      return this;
    }

    public Builder rankingSamples(int n) {
      this.rankingSamples = n;
      return this;
    }

    public BuildSettings build() {
      return new BuildSettings(profileStrategy, batchSizes, profiles, benchmarkIterations, segmenter,
          mixedPrecision, rankingSamples);
    }
  }
}
