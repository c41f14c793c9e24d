package io.trtfleet.tensorrt;

import io.trtfleet.convert.OptimizationProfile;
import java.io.Serializable;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** What a serialized engine is and was built for: stored next to the plan and in manifests. */
public record EngineMetadata(String segment, String deviceKey, String gpuName, String computeCapability,
    String tensorRtVersion, String precision, List<OptimizationProfile> profiles, List<IoTensor> io, long planBytes,
    double buildSeconds) implements Serializable {

  public EngineMetadata {
    profiles = List.copyOf(profiles);
    io = List.copyOf(io);
  }

  /** The inputs bound channel-first ({@link IoTensor#channelFirst}): their callers' NHWC bytes must be transposed. */
  public Set<String> channelFirstInputs() {
    return io.stream().filter(t -> t.input() && t.channelFirst()).map(IoTensor::name).collect(Collectors.toSet());
  }

  /**
   * One engine input or output binding: TensorRT's dimensions and its layout: {@code linear} (the model's
   * shape and bytes), or, for a TensorFlow NHWC image bound NCHW ({@link ImageBinding}), {@code hwc} (NCHW
   * dimensions over the NHWC bytes, TensorRT's {@code kHWC} format) or {@code nchw} (NCHW dimensions and
   * bytes, TensorRT's linear format).
   */
  public record IoTensor(String name, boolean input, String dtype, long[] shape, String format) implements Serializable {

    public static final String LINEAR = "linear";
    public static final String HWC = "hwc";
    public static final String NCHW = "nchw";

    /** NCHW dimensions over the model's NHWC bytes. */
    public boolean channelLast() {
      return HWC.equals(format);
    }

    /** NCHW dimensions and bytes of the model's NHWC input: the caller transposes. */
    public boolean channelFirst() {
      return NCHW.equals(format);
    }

    /** Bound NCHW where the model shapes it NHWC, with the bytes moved or not. */
    public boolean nchwOfNhwc() {
      return channelLast() || channelFirst();
    }
  }
}
