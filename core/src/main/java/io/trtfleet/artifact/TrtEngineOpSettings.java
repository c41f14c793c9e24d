package io.trtfleet.artifact;

import io.trtfleet.convert.ConversionOptions;
import io.trtfleet.Precision;
import io.trtfleet.convert.ProfileStrategy;
import java.util.Objects;

/**
 * The conversion parameters a TRTEngineOp records, with TrtGraphConverterV2's defaults: one cached
 * engine, TF-TRT's TensorRT >= 8.4 workspace ({@code sys.maxsize - 512}), build at runtime allowed.
 * Our engines are explicit-batch and strongly typed, so {@code _use_implicit_batch} is false and INT8
 * means Q/DQ in the network ({@code use_explicit_precision}), never TensorRT calibration.
 */
public record TrtEngineOpSettings(Precision precision, ProfileStrategy profileStrategy,
    long maxCachedEngines, long workspaceBytes, boolean allowBuildAtRuntime) {

  /** trt_convert.py: DEFAULT_TRT_MAX_WORKSPACE_SIZE_BYTES for TensorRT >= 8.4. */
  public static final long DEFAULT_WORKSPACE_BYTES = Long.MAX_VALUE - 512;

  public TrtEngineOpSettings {
    Objects.requireNonNull(precision, "precision");
    Objects.requireNonNull(profileStrategy, "profileStrategy");
    if (maxCachedEngines < 1) {
      throw new IllegalArgumentException("maxCachedEngines must be at least 1, not " + maxCachedEngines);
    }
  }

  public static TrtEngineOpSettings of(ConversionOptions options) {
    return new TrtEngineOpSettings(options.precision(), options.profileStrategy(), 1, DEFAULT_WORKSPACE_BYTES, true);
  }

  public static TrtEngineOpSettings defaults() {
    return of(ConversionOptions.fp32());
  }

  /** The op's precision_mode: FP32, FP16 or INT8 (both INT8 policies). */
  public String precisionMode() {
    return precision.tfTrtMode().name();
  }

  /** Q/DQ networks carry their own scales: TF-TRT's use_explicit_precision, and no calibration. */
  public boolean useExplicitPrecision() {
    return precision.quantized();
  }

  /** convert_graph.cc ProfileStrategyToName. */
  public String profileStrategyName() {
    return switch (profileStrategy) {
      case RANGE -> "Range";
      case OPTIMAL -> "Optimal";
      case RANGE_OPTIMAL -> "Range+Optimal";
      case IMPLICIT_BATCH_MODE_COMPATIBLE -> "ImplicitBatchModeCompatible";
    };
  }
}
