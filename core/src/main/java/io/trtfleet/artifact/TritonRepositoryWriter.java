package io.trtfleet.artifact;

import io.trtfleet.TrtfleetException;
import io.trtfleet.convert.OptimizationProfile;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.tensorrt.EngineMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.tensorflow.proto.DataType;

/**
 * A Triton model repository entry for a full-model plan: {@code <model>/<version>/model.plan} and
 * {@code <model>/config.pbtxt} (platform tensorrt_plan). With a dynamic batch dimension Triton owns
 * the batch: max_batch_size is the largest batch the optimization profiles allow and dims leave it
 * out; otherwise max_batch_size is 0 and dims are the full shapes. An NHWC image the engine binds NCHW
 * ({@link EngineMetadata.IoTensor#nchwOfNhwc}) gets the engine's NCHW dims and, bound channel-last,
 * {@code is_non_linear_format_io}, so Triton hands the client's NHWC bytes to TensorRT as they are, or,
 * bound channel-first, {@code format: FORMAT_NCHW} when Triton owns the batch: the client sends NCHW bytes.
 */
public final class TritonRepositoryWriter {

  /** Whether Triton may batch requests (dynamic_batching) and how many engine instances per GPU. */
  public record Options(int version, int instancesPerGpu, boolean dynamicBatching) {
    public Options {
      if (version < 1 || instancesPerGpu < 1) {
        throw new IllegalArgumentException("Triton version and instance count must be >= 1");
      }
    }

    public static Options defaults() {
      return new Options(1, 1, false);
    }
  }

  private TritonRepositoryWriter() {}

  /** Writes the entry under {@code repository/<model>} and returns that directory. */
  public static Path write(Path repository, FullModelPlan plan, Options options) {
    Path modelDir = repository.resolve(plan.model());
    try {
      Path version = Files.createDirectories(modelDir.resolve(Integer.toString(options.version())));
      Files.write(version.resolve("model.plan"), plan.engine().plan());
      Files.writeString(modelDir.resolve("config.pbtxt"), config(plan, options), StandardCharsets.UTF_8);
      return modelDir;
    } catch (IOException e) {
      throw new TrtfleetException("cannot write Triton model " + modelDir + ": " + e.getMessage(), e);
    }
  }

  public static String config(FullModelPlan plan, Options options) {
    long maxBatch = maxBatchSize(plan);
    StringBuilder b = new StringBuilder();
    b.append("name: \"").append(plan.model()).append("\"\n");
    b.append("platform: \"tensorrt_plan\"\n");
    b.append("max_batch_size: ").append(maxBatch).append('\n');
    tensors(b, "input", plan.inputs(), maxBatch > 0, nchwBindings(plan));
    tensors(b, "output", plan.outputs(), maxBatch > 0, Map.of());
    b.append("instance_group [\n  {\n    count: ").append(options.instancesPerGpu()).append("\n    kind: KIND_GPU\n  }\n]\n");
    if (options.dynamicBatching() && maxBatch > 0) {
      b.append("dynamic_batching { }\n");
    }
    return b.toString();
  }

  /** 0 unless every input's batch is dynamic; then the smallest max batch any profile allows. */
  static long maxBatchSize(FullModelPlan plan) {
    boolean dynamic = plan.inputs().stream().allMatch(in -> in.tensor().rank() > 0 && in.tensor().shape()[0] < 0);
    if (!dynamic) {
      return 0;
    }
    List<OptimizationProfile> profiles = plan.engine().metadata() == null ? List.of()
        : plan.engine().metadata().profiles();
    if (profiles.isEmpty()) {
      throw new TrtfleetException("model " + plan.model() + " has a dynamic batch but its engine no optimization"
          + " profile: Triton needs max_batch_size; build the engine with example shapes");
    }
    long max = Long.MAX_VALUE;
    for (OptimizationProfile p : profiles) {
      for (FullModelPlan.Binding in : plan.inputs()) {
        OptimizationProfile.Dims d = p.inputs().get(in.tensor().name());
        if (d == null) {
          throw new TrtfleetException("engine profile of " + plan.model() + " lacks input " + in.tensor().name());
        }
        max = Math.min(max, d.max()[0]);
      }
    }
    return max;
  }

  /** The engine's binding of each NHWC image it binds NCHW, by name. */
  private static Map<String, EngineMetadata.IoTensor> nchwBindings(FullModelPlan plan) {
    EngineMetadata m = plan.engine().metadata();
    return m == null ? Map.of() : m.io().stream().filter(t -> t.input() && t.nchwOfNhwc())
        .collect(Collectors.toMap(EngineMetadata.IoTensor::name, t -> t));
  }

  private static void tensors(StringBuilder b, String kind, List<FullModelPlan.Binding> bindings, boolean batched,
      Map<String, EngineMetadata.IoTensor> nchw) {
    b.append(kind).append(" [\n");
    for (int i = 0; i < bindings.size(); i++) {
      TensorSpec t = bindings.get(i).tensor();
      if (!t.hasRank()) {
        throw new TrtfleetException(kind + " " + t.name() + " has an unknown rank: Triton needs dims");
      }
      EngineMetadata.IoTensor engine = nchw.get(t.name());
      long[] shape = engine == null ? t.shape() : engine.shape();
      long[] dims = batched ? Arrays.copyOfRange(shape, 1, shape.length) : shape;
      b.append("  {\n");
      b.append("    # signature key: ").append(bindings.get(i).signatureKey()).append('\n');
      b.append("    name: \"").append(t.name()).append("\"\n");
      b.append("    data_type: ").append(tritonType(t.dtype())).append('\n');
      b.append("    dims: [ ").append(Arrays.stream(dims).mapToObj(Long::toString).collect(Collectors.joining(", ")))
          .append(" ]\n");
      if (engine != null && engine.channelLast()) {
        b.append("    is_non_linear_format_io: true\n");
      } else if (engine != null && batched) {
        // Triton takes a format only over the three dims without the batch: a fixed batch keeps it unsaid.
        b.append("    format: FORMAT_NCHW\n");
      }
      b.append(i + 1 < bindings.size() ? "  },\n" : "  }\n");
    }
    b.append("]\n");
  }

  static String tritonType(DataType dtype) {
    return switch (dtype) {
      case DT_FLOAT -> "TYPE_FP32";
      case DT_HALF -> "TYPE_FP16";
      case DT_BFLOAT16 -> "TYPE_BF16";
      case DT_INT8 -> "TYPE_INT8";
      case DT_UINT8 -> "TYPE_UINT8";
      case DT_INT32 -> "TYPE_INT32";
      case DT_INT64 -> "TYPE_INT64";
      case DT_BOOL -> "TYPE_BOOL";
      default -> throw new TrtfleetException("TensorRT engines have no " + TensorSpec.dtypeName(dtype)
          + " bindings Triton can serve");
    };
  }
}
