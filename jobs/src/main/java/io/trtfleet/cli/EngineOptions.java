package io.trtfleet.cli;

import io.trtfleet.TrtfleetException;
import io.trtfleet.convert.ProfileStrategy;
import io.trtfleet.pipeline.BuildSettings;
import io.trtfleet.segment.SegmenterOptions;
import io.trtfleet.tensorrt.EngineBuildConfig;
import io.trtfleet.tensorrt.ImageBinding;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** How engines are built, timed and bound: the options of {@code trtfleet build}'s TensorRT backend. */
public final class EngineOptions {

  @Option(names = "--profile-strategy", defaultValue = "RANGE", paramLabel = "S",
      description = "RANGE, OPTIMAL, RANGE_OPTIMAL or IMPLICIT_BATCH_MODE_COMPATIBLE (default: ${DEFAULT-VALUE})")
  ProfileStrategy profileStrategy;

  @Option(names = "--batch-sizes", defaultValue = "1,128", split = ",", paramLabel = "N[,N...]",
      description = "batch sizes the profiles cover; throughput is measured at each (default: ${DEFAULT-VALUE})")
  List<Integer> batchSizes;

  @Option(names = "--iterations", defaultValue = "200", description = "timed iterations per benchmark (0: no benchmark)")
  int iterations;

  @Option(names = "--workspace-gb", defaultValue = "8", description = "builder workspace limit in GiB")
  long workspaceGb;

  @Option(names = "--opt-level", defaultValue = "3", description = "builder optimization level 0..5")
  int optimizationLevel;

  @Option(names = "--no-tf32", description = "FP32 layers in IEEE FP32 instead of TensorRT's default TF32 tensor-core"
      + " math (about 4x slower on an H200; for bit-faithful FP32 references)")
  boolean noTf32;

  @Option(names = "--image-binding", defaultValue = "CHANNEL_LAST", paramLabel = "B",
      description = "how engines bind NHWC image inputs: CHANNEL_LAST (NCHW dimensions over the NHWC bytes, TensorRT"
      + " kHWC: clients send the model's images and TensorRT reads them in place), NCHW (NCHW dimensions and bytes:"
      + " clients send channel-first images, the fastest INT8 input) or AS_SHAPED (NHWC, transposed inside the"
      + " engine). Recorded in each engine's metadata and Triton config; TF-TRT's engine op is fed through a Reshape"
      + " or a Transpose (default: ${DEFAULT-VALUE})")
  ImageBinding imageBinding;

  @Option(names = "--no-mixed-precision", description = "an INT8/FP8 segment that misses its gate fails the build,"
      + " instead of being rebuilt with its most sensitive tensors in FP16 until it passes")
  boolean noMixedPrecision;

  @Option(names = "--gpu", defaultValue = "0", description = "CUDA device ordinal")
  int gpu;

  @Option(names = "--inspect", description = "also write TensorRT's layer information per engine (fusions, precisions)")
  boolean inspect;

  /** Checked before any work, so a mistyped number is reported without a GPU. */
  BuildSettings settings(SegmenterOptions segmenter) {
    if (batchSizes.stream().anyMatch(b -> b < 1)) {
      throw new TrtfleetException("--batch-sizes must be at least 1, got " + batchSizes);
    }
    if (iterations < 0) {
      throw new TrtfleetException("--iterations must be 0 (no benchmark) or more, got " + iterations);
    }
    return BuildSettings.builder().profileStrategy(profileStrategy).batchSizes(batchSizes)
        .benchmarkIterations(iterations).segmenter(segmenter)
        .mixedPrecision(!noMixedPrecision).build();
  }

  /** Settings every engine shares; precision and profiles come from each segment. */
  EngineBuildConfig template(Path timingCache) {
    return EngineBuildConfig.builder("FP32").workspaceBytes(workspaceGb << 30).optimizationLevel(optimizationLevel)
        .timingCache(timingCache).detailedLayers(inspect).tf32(!noTf32).imageBinding(imageBinding).build();
  }
}
