package io.trtfleet.pipeline;

import io.trtfleet.Precision;
import io.trtfleet.convert.ConvertedSegment;
import io.trtfleet.graph.ModelRunner;
import io.trtfleet.tensorrt.DeviceIdentity;
import io.trtfleet.tensorrt.EngineArtifact;
import io.trtfleet.tensorrt.EngineBenchmark;
import io.trtfleet.tensorrt.EngineBuildConfig;
import io.trtfleet.tensorrt.EngineBuildException;
import io.trtfleet.tensorrt.EngineBuilder;
import io.trtfleet.tensorrt.EngineFiles;
import io.trtfleet.tensorrt.EngineInspector;
import io.trtfleet.tensorrt.EngineRunner;
import io.trtfleet.tensorrt.TensorRt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The GPU backend: a strongly typed TensorRT engine per segment, built by TensorRT's ONNX parser on this
 * process's GPU, written as {@code engines/<segment>.plan} with its metadata (and the layer list with
 * {@code inspect}).
 *
 */
public final class TensorRtBackend implements SegmentBackend {

  private final DeviceIdentity device;
  private final EngineBuilder builder;
  private final EngineBuildConfig template;
  private final boolean inspect;

  /**
   * @param template settings for every engine; precision and profiles come from each segment
   * @param inspect also write TensorRT's layer list per engine ({@code inspect/<segment>.layers.json})
   */
  public TensorRtBackend(DeviceIdentity device, EngineBuildConfig template, boolean inspect) {
    this.device = device;
    this.builder = new EngineBuilder(device);
    this.template = template;
    this.inspect = inspect;
  }

  public DeviceIdentity identity() {
    return device;
  }

  @Override
  public String key() {
    return device.tensorRtKey();
  }

  @Override
  public String deviceKey() {
    return device.deviceKey();
  }

  @Override
  public String description() {
    return "TensorRT " + device.tensorRtKey().substring(4) + " on " + device.gpuName();
  }

  @Override
  public Optional<Device> device() {
    return Optional.of(new Device(device.gpuName(), device.computeCapability(), TensorRt.driverVersion(device)));
  }

  /** FP8 engines only on GPUs with FP8 tensor cores. */
  @Override
  public Optional<String> refusal(Precision precision) {
    return device.refusal(precision);
  }

  @Override
  public BuiltSegment build(ConvertedSegment segment, Precision precision, Path dir) throws SegmentBuildException {
    String name = segment.segment().name();
    EngineArtifact engine;
    try {
      engine = builder.build(name, segment.onnx(), template.with(precision.name(), segment.profiles()));
    } catch (EngineBuildException e) {
      throw new SegmentBuildException(e.getMessage(), e);
    }
    List<Path> files = new ArrayList<>(EngineFiles.write(dir.resolve("engines"), engine));
    if (inspect) {
      try {
        Path layers = Files.createDirectories(dir.resolve("inspect")).resolve(name + ".layers.json");
        Files.writeString(layers, EngineInspector.layersJson(engine.plan()));
        files.add(layers);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the layer list of " + name + " to " + dir, e);
      }
    }
    return new BuiltSegment(segment, Optional.of(engine), files, engine.metadata().buildSeconds());
  }

  @Override
  public ModelRunner open(BuiltSegment built) {
    return new EngineRunner(engine(built));
  }

  @Override
  public Optional<EngineBenchmark> benchmark(BuiltSegment built, List<Integer> batchSizes, int iterations) {
    try (EngineRunner runner = new EngineRunner(engine(built))) {
      return Optional.of(EngineBenchmark.run(runner, batchSizes, iterations));
    }
  }

  private static EngineArtifact engine(BuiltSegment built) {
    return built.engine().orElseThrow(() -> new IllegalStateException(built.name() + " has no engine"));
  }
}
