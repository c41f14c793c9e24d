package io.trtfleet.convert;

import io.trtfleet.Precision;
import java.util.List;
import java.util.Map;

/**
 * What a conversion did, for users and for the build report: folded nodes, tensors quantized, tensors left
 * unquantized (no calibrated scale), notes on precision choices, ONNX op counts.
 *
 * @param quantized the activations that got Q/DQ, in conversion order (TensorFlow tensor names)
 * @param unquantized tensor name to the node that would have read it quantized
 */
public record ConversionReport(String segment, Precision precision, int tfNodes, List<String> folded,
    List<String> quantized, Map<String, String> unquantized, List<String> notes,
    Map<String, Integer> onnxOps, long millis) {

  public ConversionReport {
    folded = List.copyOf(folded);
    quantized = List.copyOf(quantized);
    unquantized = Map.copyOf(unquantized);
    notes = List.copyOf(notes);
    onnxOps = Map.copyOf(onnxOps);
  }

  public int onnxNodes() {
    return onnxOps.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** A few lines for the CLI. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append(segment).append(": ").append(tfNodes).append(" TensorFlow nodes -> ").append(onnxNodes())
        .append(" ONNX nodes (").append(precision).append(", ").append(millis).append(" ms)");
    if (!folded.isEmpty()) {
      sb.append("\n  folded into convolution/Gemm weights: ").append(folded.size()).append(" nodes");
    }
    if (!unquantized.isEmpty()) {
      sb.append("\n  tensors without a calibrated scale (kept in float): ")
          .append(String.join(", ", new java.util.TreeSet<>(unquantized.keySet())));
    }
    notes.forEach(n -> sb.append("\n  ").append(n));
    return sb.toString();
  }
}
