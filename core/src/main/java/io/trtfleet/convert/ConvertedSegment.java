package io.trtfleet.convert;

import io.trtfleet.graph.TensorSpec;
import io.trtfleet.segment.Segment;
import java.util.List;

/**
 * A segment as an ONNX model. Its inputs and outputs are ONNX values named like the TensorFlow tensors
 * of the segment boundary ({@code images:0}), FP32 (or the tensor's own type) in TensorFlow's layout,
 * with -1 dims symbolic. {@link #profiles()} are the TensorRT optimization profiles for the engine build
 * (empty when no example shapes were given).
 */
public record ConvertedSegment(Segment segment, byte[] onnx, ConversionReport report,
    List<OptimizationProfile> profiles) {

  public ConvertedSegment {
    profiles = List.copyOf(profiles);
  }

  public List<TensorSpec> inputs() {
    return segment.inputs();
  }

  public List<TensorSpec> outputs() {
    return segment.outputs();
  }

  @Override
  public byte[] onnx() {
    return onnx.clone();
  }
}
