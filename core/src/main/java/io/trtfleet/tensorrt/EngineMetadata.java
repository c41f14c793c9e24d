package io.trtfleet.tensorrt;

import io.trtfleet.convert.OptimizationProfile;
import java.io.Serializable;
import java.util.List;

/** What a serialized engine is and was built for: stored next to the plan and in manifests. */
public record EngineMetadata(String segment, String deviceKey, String gpuName, String computeCapability,
    String tensorRtVersion, String precision, List<OptimizationProfile> profiles, List<IoTensor> io, long planBytes,
    double buildSeconds) implements Serializable {

  public EngineMetadata {
    profiles = List.copyOf(profiles);
    io = List.copyOf(io);
  }

  /**
   * One engine input or output binding: TensorRT's dimensions and memory format ({@code linear}, or
   * {@code hwc} for an input bound channel-last: NCHW dimensions over NHWC bytes).
   */
  public record IoTensor(String name, boolean input, String dtype, long[] shape, String format) implements Serializable {

    public static final String LINEAR = "linear";
    public static final String HWC = "hwc";

    public boolean channelLast() {
      return HWC.equals(format);
    }
  }
}
