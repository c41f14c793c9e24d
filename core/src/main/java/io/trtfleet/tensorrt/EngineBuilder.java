package io.trtfleet.tensorrt;

import static org.bytedeco.tensorrt.global.nvinfer.createInferBuilder;
import static org.bytedeco.tensorrt.global.nvinfer.createInferRuntime;
import static org.bytedeco.tensorrt.global.nvonnxparser.createParser;

import io.trtfleet.convert.OptimizationProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorrt.global.nvinfer.HardwareCompatibilityLevel;
import org.bytedeco.tensorrt.global.nvinfer.MemoryPoolType;
import org.bytedeco.tensorrt.global.nvinfer.NetworkDefinitionCreationFlag;
import org.bytedeco.tensorrt.global.nvinfer.OptProfileSelector;
import org.bytedeco.tensorrt.global.nvinfer.TensorFormat;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.IBuilder;
import org.bytedeco.tensorrt.nvinfer.IBuilderConfig;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IHostMemory;
import org.bytedeco.tensorrt.nvinfer.INetworkDefinition;
import org.bytedeco.tensorrt.nvinfer.IOptimizationProfile;
import org.bytedeco.tensorrt.nvinfer.IRuntime;
import org.bytedeco.tensorrt.nvinfer.ITimingCache;
import org.bytedeco.tensorrt.nvonnxparser.IParser;
import org.bytedeco.tensorrt.nvonnxparser.IParserError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONNX to a serialized TensorRT engine through TensorRT's own ONNX parser, as a strongly typed network
 * (no FP16/INT8 builder flags, no implicit calibrator: the API TensorRT 11 keeps). Parser and builder
 * errors become one {@link EngineBuildException} naming the segment and the node. Profiles are given in
 * the model's (TensorFlow's) dimensions, also for NHWC images bound NCHW ({@link ImageBinding}).
 */
public final class EngineBuilder {

  private static final Logger LOG = LoggerFactory.getLogger(EngineBuilder.class);

  private final DeviceIdentity device;

  public EngineBuilder(DeviceIdentity device) {
    this.device = device;
  }

  public EngineArtifact build(String segment, byte[] onnx, EngineBuildConfig config) {
    TensorRt.require();
    TrtLogger logger = TrtLogger.INSTANCE;
    int errorMark = logger.mark();
    long t0 = System.nanoTime();
    IBuilder builder = createInferBuilder(logger);
    INetworkDefinition network = builder.createNetworkV2(1 << NetworkDefinitionCreationFlag.kSTRONGLY_TYPED.value);
    IParser parser = createParser(network, logger);
    BytePointer model = new BytePointer(onnx);
    if (!parser.parse(model, onnx.length)) {
      throw new EngineBuildException("segment " + segment + ": TensorRT's ONNX parser rejected it: " + parserErrors(parser)
          + "; the segment falls back to TensorFlow (report it if the op is in the support table)");
    }
    Set<String> images = NhwcImageInputs.apply(network, config.imageBinding());
    if (!images.isEmpty()) {
      LOG.info("segment {}: input(s) {} bound NCHW, {}", segment, images, config.imageBinding() == ImageBinding.NCHW
          ? "over NCHW bytes (clients transpose)" : "over the NHWC bytes (kHWC)");
    }
    IBuilderConfig cfg = builder.createBuilderConfig();
    cfg.setMemoryPoolLimit(MemoryPoolType.kWORKSPACE, config.workspaceBytes());
    cfg.setBuilderOptimizationLevel(config.optimizationLevel());
    if (config.detailedLayers()) {
      cfg.setProfilingVerbosity(org.bytedeco.tensorrt.global.nvinfer.ProfilingVerbosity.kDETAILED.value);
    }
    if (!config.tf32()) {
      cfg.clearFlag(org.bytedeco.tensorrt.global.nvinfer.BuilderFlag.kTF32);
    }
    if (config.avgTimingIterations() > 0) {
      cfg.setAvgTimingIterations(config.avgTimingIterations());
    }
    if (config.ampereCompatible()) {
      cfg.setHardwareCompatibilityLevel(HardwareCompatibilityLevel.kAMPERE_PLUS);
    }
    for (OptimizationProfile p : config.profiles()) {
      IOptimizationProfile profile = builder.createOptimizationProfile();
      p.inputs().forEach((input, d) -> {
        UnaryOperator<long[]> order = images.contains(input) ? NhwcImageInputs::nchw : UnaryOperator.identity();
        profile.setDimensions(input, OptProfileSelector.kMIN, dims(order.apply(d.min())));
        profile.setDimensions(input, OptProfileSelector.kOPT, dims(order.apply(d.opt())));
        profile.setDimensions(input, OptProfileSelector.kMAX, dims(order.apply(d.max())));
      });
      cfg.addOptimizationProfile(profile);
    }
    ITimingCache cache = loadTimingCache(cfg, config.timingCache());
    cfg.setTimingCache(cache, false);
    IHostMemory plan = builder.buildSerializedNetwork(network, cfg);
    if (plan == null || plan.isNull() || plan.size() == 0) {
      List<String> errors = logger.errorsSince(errorMark);
      throw new EngineBuildException("segment " + segment + ": TensorRT " + device.tensorRtKey() + " could not build a "
          + config.precision() + " engine on " + device.gpuName() + ": "
          + (errors.isEmpty() ? "no error reported" : String.join(" | ", errors))
          + "; the segment falls back to TensorFlow");
    }
    byte[] bytes = new byte[(int) plan.size()];
    new BytePointer(plan.data()).capacity(plan.size()).get(bytes);
    saveTimingCache(cfg.getTimingCache(), config.timingCache());
    double seconds = (System.nanoTime() - t0) / 1e9;
    EngineMetadata meta = describe(segment, bytes, config, images, seconds);
    LOG.info(String.format(Locale.ROOT, "built %s %s engine for %s in %.1f s (%.1f MB)", segment, config.precision(),
        device.deviceKey(), seconds, bytes.length / 1e6));
    return new EngineArtifact(bytes, meta);
  }

  public EngineArtifact build(String segment, Path onnx, EngineBuildConfig config) {
    try {
      return build(segment, Files.readAllBytes(onnx), config);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + onnx, e);
    }
  }

  private EngineMetadata describe(String segment, byte[] plan, EngineBuildConfig config, Set<String> images,
      double seconds) {
    IRuntime runtime = createInferRuntime(TrtLogger.INSTANCE);
    ICudaEngine engine = runtime.deserializeCudaEngine(new BytePointer(plan), plan.length);
    List<EngineMetadata.IoTensor> io = new ArrayList<>();
    for (int i = 0; i < engine.getNbIOTensors(); i++) {
      String name = engine.getIOTensorName(i);
      BytePointer n = new BytePointer(name);
      io.add(new EngineMetadata.IoTensor(name,
          engine.getTensorIOMode(n) == org.bytedeco.tensorrt.global.nvinfer.TensorIOMode.kINPUT.value,
          typeName(engine.getTensorDataType(n)), dims(engine.getTensorShape(name)),
          engine.getTensorFormat(n) == TensorFormat.kHWC.value ? EngineMetadata.IoTensor.HWC
              : images.contains(name) ? EngineMetadata.IoTensor.NCHW : EngineMetadata.IoTensor.LINEAR));
    }
    return new EngineMetadata(segment, device.deviceKey(), device.gpuName(), device.computeCapability(),
        device.tensorRtKey(), config.precision(), config.profiles(), io, plan.length, seconds);
  }

  private static String parserErrors(IParser parser) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < parser.getNbErrors(); i++) {
      IParserError e = parser.getError(i);
      out.add("node " + e.node() + (e.nodeName() == null || e.nodeName().isEmpty() ? "" : " '" + e.nodeName() + "'")
          + (e.nodeOperator() == null || e.nodeOperator().isEmpty() ? "" : " (" + e.nodeOperator() + ")") + ": " + e.desc());
    }
    return out.isEmpty() ? "no error reported" : String.join(" | ", out);
  }

  private static ITimingCache loadTimingCache(IBuilderConfig cfg, Path file) {
    if (file != null && Files.isRegularFile(file)) {
      try {
        byte[] blob = Files.readAllBytes(file);
        return cfg.createTimingCache(new BytePointer(blob), blob.length);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read timing cache " + file, e);
      }
    }
    return cfg.createTimingCache(null, 0);
  }

  private static void saveTimingCache(ITimingCache cache, Path file) {
    if (file == null || cache == null) {
      return;
    }
    IHostMemory blob = cache.serialize();
    byte[] bytes = new byte[(int) blob.size()];
    new BytePointer(blob.data()).capacity(blob.size()).get(bytes);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, bytes);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write timing cache " + file, e);
    }
  }

  /** TensorRT's integer data type as a name: float, half, int8, ... */
  static String typeName(int code) {
    for (org.bytedeco.tensorrt.global.nvinfer.DataType t : org.bytedeco.tensorrt.global.nvinfer.DataType.values()) {
      if (t.value == code) {
        return t.name().substring(1).toLowerCase(Locale.ROOT);
      }
    }
    return "type" + code;
  }

  static Dims64 dims(long[] d) {
    Dims64 dims = new Dims64();
    dims.nbDims(d.length);
    for (int i = 0; i < d.length; i++) {
      dims.d(i, d[i]);
    }
    return dims;
  }

  static long[] dims(Dims64 d) {
    long[] out = new long[d.nbDims()];
    for (int i = 0; i < out.length; i++) {
      out[i] = d.d(i);
    }
    return out;
  }
}
