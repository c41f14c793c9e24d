package io.trtfleet.convert;

import io.trtfleet.graph.TensorSpec;
import io.trtfleet.segment.Segment;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A segment as an ONNX model. Its inputs and outputs are ONNX values named like the TensorFlow tensors
 * of the segment boundary ({@code images:0}), FP32 (or the tensor's own type) in TensorFlow's layout,
 * with -1 dims symbolic. {@link #profiles()} are the TensorRT optimization profiles for the engine build
 * (empty when no example shapes were given). {@link #tensorValues()} maps the TensorFlow tensors computed
 * inside the segment to the ONNX values that hold them (intermediates may be NCHW; calibration marks them
 * as extra outputs, see {@code io.trtfleet.calibrate.CalibrationOutputs}).
 */
public record ConvertedSegment(Segment segment, byte[] onnx, ConversionReport report,
    List<OptimizationProfile> profiles, Map<String, String> tensorValues) {

  public ConvertedSegment {
    profiles = List.copyOf(profiles);
    tensorValues = Map.copyOf(tensorValues);
  }

  public ConvertedSegment(Segment segment, byte[] onnx, ConversionReport report, List<OptimizationProfile> profiles) {
    this(segment, onnx, report, profiles, Map.of());
  }

  /** The same conversion with other optimization profiles (explicit ones given by the user). */
  public ConvertedSegment withProfiles(List<OptimizationProfile> other) {
    return new ConvertedSegment(segment, onnx, report, other, tensorValues);
  }

  public List<TensorSpec> inputs() {
    return segment.inputs();
  }

  public List<TensorSpec> outputs() {
    return segment.outputs();
  }

  /** The ONNX value holding TensorFlow tensor {@code tfName} (e.g. {@code conv1/Relu:0}), if converted. */
  public Optional<String> onnxValue(String tfName) {
    return Optional.ofNullable(tensorValues.get(tfName));
  }

  @Override
  public byte[] onnx() {
    return onnx.clone();
  }
}
