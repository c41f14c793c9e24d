package io.trtfleet.spark;

import io.trtfleet.importer.ImportOptions;
import io.trtfleet.quantize.CalibrationAlgorithm;
import io.trtfleet.quantize.PercentileCalibrator;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/** What {@code trtfleet calibrate} was asked to do. Validated on build. */
public record CalibrateOptions(ImportOptions model, String dataUri, CalibrationAlgorithm algorithm,
    double percentile, long samples, int batchSize, Path out, BadRows onBadRows,
    Map<String, String> inputMap, CalibrationDevice device, String gpuResource, int samplesPerTask)
    implements Serializable {

  /** What to do with rows that are malformed or hold NaN/Inf. */
  public enum BadRows { FAIL, SKIP }

  /**
   * Which collector computes the activations: TensorFlow on the CPU, or TensorRT FP32 plus CUDA
   * histogram kernels on a GPU. AUTO: GPU when the cluster offers executors the GPU resource (or, in
   * local mode, when this JVM has TensorRT and a GPU), else CPU. Thresholds and outputs are the same.
   */
  public enum CalibrationDevice {
    AUTO, CPU, GPU;

    public static CalibrationDevice parse(String s) {
      return switch (s.toLowerCase(java.util.Locale.ROOT)) {
        case "auto" -> AUTO;
        case "cpu" -> CPU;
        case "gpu" -> GPU;
        default -> throw new io.trtfleet.TrtfleetException("--calibration-device takes cpu, gpu or auto, not '" + s + "'");
      };
    }
  }

  /** Spark's conventional GPU resource name (spark.executor.resource.gpu.*). */
  public static final String DEFAULT_GPU_RESOURCE = "gpu";

  public static final int DEFAULT_BATCH = 64;
  /** Samples per Spark task ({@link SampleSplit}): a few seconds of FP32 reference on a CPU core for small CNNs. */
  public static final int DEFAULT_SAMPLES_PER_TASK = 4096;
  /** Below this, entropy thresholds are noisy: warn. */
  public static final long FEW_SAMPLES = 500;

  public CalibrateOptions {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(dataUri, "data");
    Objects.requireNonNull(out, "out");
    if (batchSize <= 0) {
      throw new IllegalArgumentException("--batch-size must be positive, got " + batchSize);
    }
    if (samples < 0) {
      throw new IllegalArgumentException("--samples must be positive, got " + samples);
    }
    inputMap = Map.copyOf(inputMap);
    Objects.requireNonNull(device, "calibration device");
    if (gpuResource == null || gpuResource.isBlank()) {
      throw new IllegalArgumentException("--gpu-resource must name a Spark resource, e.g. gpu");
    }
    if (samplesPerTask <= 0) {
      throw new IllegalArgumentException("--samples-per-task must be positive, got " + samplesPerTask);
    }
  }

  public static Builder builder(ImportOptions model, String dataUri, Path out) {
    return new Builder(model, dataUri, out);
  }

  public static final class Builder {
    private final ImportOptions model;
    private final String dataUri;
    private final Path out;
    private CalibrationAlgorithm algorithm = CalibrationAlgorithm.ENTROPY;
    private double percentile = PercentileCalibrator.DEFAULT_PERCENTILE;
    private long samples;
    private int batchSize = DEFAULT_BATCH;
    private BadRows onBadRows = BadRows.FAIL;
    private Map<String, String> inputMap = Map.of();
    private CalibrationDevice device = CalibrationDevice.AUTO;
    private String gpuResource = DEFAULT_GPU_RESOURCE;
    private int samplesPerTask = DEFAULT_SAMPLES_PER_TASK;

    private Builder(ImportOptions model, String dataUri, Path out) {
      this.model = model;
      this.dataUri = dataUri;
      this.out = out;
    }

    public Builder algorithm(CalibrationAlgorithm a) {
      this.algorithm = a;
      return this;
    }

    public Builder percentile(double p) {
      new PercentileCalibrator(p);  // validates the range
      this.percentile = p;
      return this;
    }

    /** 0 = all rows. */
    public Builder samples(long n) {
      this.samples = n;
      return this;
    }

    public Builder batchSize(int b) {
      this.batchSize = b;
      return this;
    }

    public Builder onBadRows(BadRows b) {
      this.onBadRows = b;
      return this;
    }

    public Builder inputMap(Map<String, String> m) {
      this.inputMap = m;
      return this;
    }

    public Builder device(CalibrationDevice d) {
      this.device = d;
      return this;
    }

    /** The Spark resource a GPU calibration task requests (executor and task amount 1). */
    public Builder gpuResource(String name) {
      this.gpuResource = name;
      return this;
    }

    /** Samples per Spark task: large sets are split into about count / this many tasks (at least one per core). */
    public Builder samplesPerTask(int n) {
      this.samplesPerTask = n;
      return this;
    }

    public CalibrateOptions build() {
      return new CalibrateOptions(model, dataUri, algorithm, percentile, samples, batchSize, out, onBadRows, inputMap,
          device, gpuResource, samplesPerTask);
    }
  }
}
