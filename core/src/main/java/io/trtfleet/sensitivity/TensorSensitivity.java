package io.trtfleet.sensitivity;

import java.util.List;

/**
 * What one quantized tensor costs: its segment's error when only this tensor is quantized (and the
 * weights of the layers reading it), and when only this one is left in float with every other quantized.
 *
 * @param readers the nodes of the segment that read it quantized (the layers it feeds)
 * @param onlyFloat null when the analysis measured one direction only
 */
public record TensorSensitivity(String tensor, String segment, List<String> readers, Score onlyQuantized,
    Score onlyFloat) {

  public TensorSensitivity {
    readers = List.copyOf(readers);
  }
}
