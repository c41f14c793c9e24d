package io.trtfleet.artifact;

import io.trtfleet.TrtfleetException;
import io.trtfleet.convert.OptimizationProfile;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.segment.Segment;
import io.trtfleet.tensorrt.EngineArtifact;
import io.trtfleet.tensorrt.EngineMetadata;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Writes {@code trt-serialized-engine.<engine>}: a TFRecord holding one TRTEngineInstance, as
 * SerializeTRTResource does for each engine in TF-TRT's cache.
 */
public final class TrtEngineInstanceWriter {

  private TrtEngineInstanceWriter() {}

  public static void write(Path file, Segment segment, EngineArtifact engine) {
    TfRecordWriter.write(file, List.of(instance(segment, engine).toByteArray()));
  }

  /**
   * The cache key TF-TRT restores the engine under is the concrete input shapes it was built for:
   * the largest shapes of the first optimization profile, else the engine's own static input shapes.
   */
  public static TrtEngineInstance instance(Segment segment, EngineArtifact engine) {
    if (engine.plan() == null || engine.plan().length == 0) {
      throw new TrtfleetException("engine " + segment.name() + " has an empty plan: rebuild it or leave it out"
          + " so TensorFlow builds it at runtime");
    }
    EngineMetadata meta = engine.metadata();
    List<long[]> shapes = new ArrayList<>();
    Set<Integer> nchw = NchwEngineInputs.inputs(segment, engine).keySet();
    for (int i = 0; i < segment.inputs().size(); i++) {
      TensorSpec in = segment.inputs().get(i);
      // TensorFlow hands an NHWC image the engine binds NCHW in that order: so is the key.
      UnaryOperator<long[]> order = nchw.contains(i) ? NchwEngineInputs::engineOrder : UnaryOperator.identity();
      long[] shape = profileMax(meta, in.name());
      shape = shape != null ? order.apply(shape) : bindingShape(meta, in.name());
      if (shape == null && in.shape() != null) {
        shape = order.apply(in.shape());
      }
      if (shape == null || Arrays.stream(shape).anyMatch(d -> d < 0)) {
        throw new TrtfleetException("engine " + segment.name() + ": no concrete shape for input " + in
            + " (TF-TRT keys saved engines by input shapes): build it with an optimization profile");
      }
      shapes.add(shape);
    }
    return new TrtEngineInstance(shapes, engine.plan());
  }

  private static long[] profileMax(EngineMetadata meta, String input) {
    if (meta == null || meta.profiles().isEmpty()) {
      return null;
    }
    OptimizationProfile.Dims dims = meta.profiles().get(0).inputs().get(input);
    return dims == null ? null : dims.max();
  }

  private static long[] bindingShape(EngineMetadata meta, String input) {
    if (meta == null) {
      return null;
    }
    return meta.io().stream().filter(t -> t.input() && t.name().equals(input)).map(EngineMetadata.IoTensor::shape)
        .findFirst().orElse(null);
  }
}
