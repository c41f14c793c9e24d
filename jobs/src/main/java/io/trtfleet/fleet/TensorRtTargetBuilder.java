package io.trtfleet.fleet;

import io.trtfleet.TrtfleetException;
import io.trtfleet.convert.OptimizationProfile;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Signature;
import io.trtfleet.tensorrt.DeviceIdentity;
import io.trtfleet.tensorrt.EngineArtifact;
import io.trtfleet.tensorrt.EngineBuildConfig;
import io.trtfleet.tensorrt.EngineBuilder;
import io.trtfleet.tensorrt.EngineFiles;
import io.trtfleet.tensorrt.EngineRunner;
import io.trtfleet.tensorrt.TensorRt;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a TensorRT engine on the GPU Spark assigned (whole-model ONNX through TensorRT's parser) and
 * measures it on the validation batches. Refuses a GPU or TensorRT that is not the pool's: the engine
 * would be stored under a key it is not valid for.
 *
 * <p>The address is taken as the CUDA ordinal: true for discovery by nvidia-smi index when executors see all
 * GPUs of their host (no CUDA_VISIBLE_DEVICES remapping).
 */
public final class TensorRtTargetBuilder implements TargetBuilder {

  private static final long serialVersionUID = 1L;

  @Override
  public TargetResult build(Target target, ModelInputs inputs, GpuAssignment gpu, Path out) {
    if (!gpu.hasGpu()) {
      throw new TrtfleetException(target.label() + ": no GPU assigned; TensorRT builds run on executors of the pool");
    }
    DeviceIdentity device = TensorRt.identify(Integer.parseInt(gpu.address()));
    if (!device.deviceKey().equals(target.pool().deviceKey()) || !device.tensorRtKey().equals(target.pool().tensorRtKey())) {
      throw new TrtfleetException(target.label() + ": GPU " + gpu.address() + " on " + gpu.host() + " is "
          + device.deviceKey() + " with " + device.tensorRtKey() + ", but pool " + target.pool().name() + " declares "
          + target.pool().deviceKey() + " with " + target.pool().tensorRtKey() + ": fix conf/fleet.yaml or the host");
    }
    long t0 = System.nanoTime();
    FrozenGraph graph = inputs.graph().graph();
    OnnxCpuBuilder.Converted c = OnnxCpuBuilder.convert(target, inputs, graph);
    EngineBuildConfig config = EngineBuildConfig.builder(target.precision().name())
        .profiles(profiles(target.model(), graph.signature(), inputs.validation())).build();
    EngineArtifact engine = new EngineBuilder(device).build(target.model().name(), c.onnx(), config);
    double buildSeconds = (System.nanoTime() - t0) / 1e9;
    EngineFiles.write(out, engine);
    c.writeOnnx(out);
    Measurement m;
    try (EngineRunner runner = new EngineRunner(engine.plan())) {
      m = Measurement.of(runner::run, Measurement.classifierOutput(graph).tensor().name(), inputs.validation());
    }
    return new TargetResult(target.model().name(), target.pool().name(), device.tensorRtKey(), device.deviceKey(),
        target.precision().name(), target.key().contentDigest(), TargetResult.Status.BUILT,
        "TensorRT " + device.tensorRtKey().substring(4) + " on " + device.gpuName(), 1, c.opsConvertedPercent(),
        inputs.referenceTop1(), m.top1(), m.samplesPerSecond(), buildSeconds, gpu.worker(), "");
  }

  /**
   * models.yaml profiles are keyed by signature input; engines by tensor name. Without profiles, one
   * profile fixed at the validation batch shape.
   */
  static List<OptimizationProfile> profiles(ModelSpec model, Signature sig, List<ValidationBatch> validation) {
    Map<String, String> tensorOf = new LinkedHashMap<>();
    sig.inputs().forEach(a -> tensorOf.put(a.key(), a.tensor().name()));
    if (model.profiles().isEmpty()) {
      Map<String, OptimizationProfile.Dims> dims = new LinkedHashMap<>();
      validation.get(0).feeds().forEach(f -> dims.put(f.tensor(), new OptimizationProfile.Dims(f.shape(), f.shape(),
          f.shape())));
      return List.of(new OptimizationProfile(dims));
    }
    return model.profiles().stream().map(p -> {
      Map<String, OptimizationProfile.Dims> dims = new LinkedHashMap<>();
      p.inputs().forEach((key, d) -> {
        String tensor = tensorOf.get(key);
        if (tensor == null) {
          throw new TrtfleetException("model " + model.name() + ": profile input '" + key + "' is not a signature input"
              + " (inputs: " + tensorOf.keySet() + ")");
        }
        dims.put(tensor, d);
      });
      return new OptimizationProfile(dims);
    }).toList();
  }
}
