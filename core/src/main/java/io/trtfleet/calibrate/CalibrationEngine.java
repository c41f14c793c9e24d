package io.trtfleet.calibrate;

import io.trtfleet.convert.ConversionOptions;
import io.trtfleet.convert.ConversionResult;
import io.trtfleet.convert.ConvertedSegment;
import io.trtfleet.convert.OnnxSegmentConverter;
import io.trtfleet.convert.OptimizationProfile;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.segment.Segment;
import io.trtfleet.tensorrt.DeviceIdentity;
import io.trtfleet.tensorrt.EngineBuildConfig;
import io.trtfleet.tensorrt.EngineBuilder;
import io.trtfleet.tensorrt.ImageBinding;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The FP32 TensorRT engine a GPU calibration runs: the segment converted to ONNX with every calibration
 * target added as a graph output ({@link CalibrationOutputs}), one profile from batch 1 to the largest
 * batch. Engines are cached in this JVM by ONNX content, device and batch, so both passes and every
 * partition a Spark executor runs reuse one build.
 *
 * @param buildSeconds how long the build took (about 0 when this JVM had built the same engine before)
 */
record CalibrationEngine(byte[] plan, CalibrationOutputs outputs, double buildSeconds) {

  /** Plans are a few hundred MB at most per model; one model per job. */
  private static final Map<String, byte[]> PLANS = new ConcurrentHashMap<>();

  static CalibrationEngine build(FrozenGraph graph, Segment segment, List<String> tensors, DeviceIdentity device,
      int ordinal, int maxBatch) {
    ConversionResult conversion = OnnxSegmentConverter.convert(graph, segment, ConversionOptions.fp32());
    ConvertedSegment converted = conversion.model().orElseThrow(() -> new IllegalStateException("segment "
        + segment.name() + " does not convert to ONNX, so it cannot be calibrated on the GPU ("
        + conversion.fallbackReason() + "); use --calibration-device cpu"));
    CalibrationOutputs outputs = CalibrationOutputs.plan(converted, tensors);
    byte[] onnx = CalibrationOutputs.withOutputs(converted.onnx(), outputs.extraOutputs());
    long t0 = System.nanoTime();
    byte[] plan = PLANS.computeIfAbsent(key(onnx, device, ordinal, maxBatch), k -> new EngineBuilder(device)
        .build(segment.name() + "-calibration", onnx, EngineBuildConfig.builder("FP32")
            // A pass over data, not a served engine: inputs bound as TensorFlow shapes them, as measured
            // in docs/benchmarks/calibration.md.
            .profiles(List.of(profile(segment, maxBatch))).imageBinding(ImageBinding.AS_SHAPED).build()).plan());
    return new CalibrationEngine(plan, outputs, (System.nanoTime() - t0) / 1e9);
  }

  private static String key(byte[] onnx, DeviceIdentity device, int ordinal, int maxBatch) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(onnx);
      return HexFormat.of().formatHex(digest) + "/" + device.deviceKey() + "/" + ordinal + "/" + maxBatch;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static OptimizationProfile profile(Segment segment, int maxBatch) {
    Map<String, OptimizationProfile.Dims> dims = new LinkedHashMap<>();
    for (TensorSpec in : segment.inputs()) {
      long[] shape = in.shape();
      for (int i = 1; i < shape.length; i++) {
        if (shape[i] < 0) {
          throw new IllegalArgumentException("input " + in + " has an unknown dimension " + i
              + "; GPU calibration needs fixed shapes apart from the batch");
        }
      }
      long[] min = shape.clone();
      long[] max = shape.clone();
      if (shape.length > 0) {
        min[0] = shape[0] < 0 ? 1 : shape[0];
        max[0] = shape[0] < 0 ? maxBatch : shape[0];
      }
      dims.put(in.name(), new OptimizationProfile.Dims(min, max, max));
    }
    return new OptimizationProfile(dims);
  }
}
