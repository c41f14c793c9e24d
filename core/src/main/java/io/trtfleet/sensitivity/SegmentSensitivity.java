package io.trtfleet.sensitivity;

import java.util.List;

/**
 * A segment's quantized tensors, most sensitive first, between its two ends: every tensor quantized (the
 * precision as built) and none (FP16 between layers, or FP32 for INT8_FP32).
 */
public record SegmentSensitivity(String segment, Score allQuantized, Score noneQuantized,
    List<TensorSensitivity> tensors) {

  public SegmentSensitivity {
    tensors = List.copyOf(tensors);
  }

  /** The tensors in ranking order, names only: what a mixed-precision search keeps in float first. */
  public List<String> ranking() {
    return tensors.stream().map(TensorSensitivity::tensor).toList();
  }
}
