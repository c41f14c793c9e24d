package io.trtfleet.tensorrt;

import io.trtfleet.convert.OptimizationProfile;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How TensorRT builds one engine: strongly typed (precision lives in the ONNX tensor types, as
 * TensorRT 11 requires), with optimization profiles, a workspace limit, the builder optimization
 * level, an optional timing cache file, an optional hardware-compatibility level, whether the plan
 * keeps detailed layer information (for {@link EngineInspector}; slightly larger plans), and whether FP32
 * layers may use TF32 tensor cores (TensorRT's default; off gives IEEE FP32 math, about 4x slower
 * for ResNet-50 on an H200), how many timing runs TensorRT averages per tactic (0: its default, as
 * trtexec's --avgTiming), and how NHWC image inputs are bound ({@link ImageBinding}: channel-last by
 * default; TF-TRT's engine op is fed through a Reshape or a Transpose, see {@code artifact.NchwEngineInputs}).
 */
public record EngineBuildConfig(String precision, List<OptimizationProfile> profiles, long workspaceBytes,
    int optimizationLevel, Path timingCache, boolean ampereCompatible, boolean detailedLayers, boolean tf32,
    int avgTimingIterations, ImageBinding imageBinding)
    implements Serializable {

  public static final long DEFAULT_WORKSPACE = 8L << 30;
  public static final int DEFAULT_OPTIMIZATION_LEVEL = 3;

  public EngineBuildConfig {
    Objects.requireNonNull(precision, "precision");
    Objects.requireNonNull(imageBinding, "imageBinding");
    profiles = List.copyOf(profiles);
    if (workspaceBytes <= 0) {
      throw new IllegalArgumentException("workspace must be positive, got " + workspaceBytes);
    }
    if (optimizationLevel < 0 || optimizationLevel > 5) {
      throw new IllegalArgumentException("builder optimization level is 0..5, got " + optimizationLevel);
    }
    if (avgTimingIterations < 0) {
      throw new IllegalArgumentException("timing iterations must be 0 (TensorRT's default) or more, got " + avgTimingIterations);
    }
  }

  /** The same settings for another precision and profiles: one template serves every segment of a build. */
  public EngineBuildConfig with(String precision, List<OptimizationProfile> profiles) {
    return new EngineBuildConfig(precision, profiles, workspaceBytes, optimizationLevel, timingCache, ampereCompatible,
        detailedLayers, tf32, avgTimingIterations, imageBinding);
  }

  public static Builder builder(String precision) {
    return new Builder(precision);
  }

  public static final class Builder {
    private final String precision;
    private List<OptimizationProfile> profiles = List.of();
    private long workspaceBytes = DEFAULT_WORKSPACE;
    private int optimizationLevel = DEFAULT_OPTIMIZATION_LEVEL;
    private Path timingCache;
    private boolean ampereCompatible;
    private boolean detailedLayers;
    private boolean tf32 = true;
    private int avgTimingIterations;
    private ImageBinding imageBinding = ImageBinding.CHANNEL_LAST;

    private Builder(String precision) {
      this.precision = precision;
    }

    public Builder profiles(List<OptimizationProfile> p) {
      this.profiles = p;
      return this;
    }

    public Builder workspaceBytes(long b) {
      this.workspaceBytes = b;
      return this;
    }

    public Builder optimizationLevel(int level) {
      this.optimizationLevel = level;
      return this;
    }

    public Builder timingCache(Path file) {
      this.timingCache = file;
      return this;
    }

    public Builder ampereCompatible(boolean on) {
      this.ampereCompatible = on;
      return this;
    }

    public Builder detailedLayers(boolean on) {
      this.detailedLayers = on;
      return this;
    }

    public Builder tf32(boolean on) {
      this.tf32 = on;
      return this;
    }

    public Builder avgTimingIterations(int n) {
      this.avgTimingIterations = n;
      return this;
    }

    public Builder imageBinding(ImageBinding binding) {
      this.imageBinding = binding;
      return this;
    }

    public EngineBuildConfig build() {
      return new EngineBuildConfig(precision, profiles, workspaceBytes, optimizationLevel, timingCache, ampereCompatible,
          detailedLayers, tf32, avgTimingIterations, imageBinding);
    }
  }
}
