package io.trtfleet.convert;

import io.trtfleet.Precision;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.onnx.OnnxDataType;
import io.trtfleet.onnx.OnnxGraphBuilder;
import io.trtfleet.quantize.CalibrationTable;
import io.trtfleet.quantize.ResidualAdds;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Explicit INT8: calibrated per-tensor Q/DQ on the activations a quantized layer reads, per-output-channel
 * Q/DQ on its weights. Records the activations that had no scale (they stay float, listed in the report).
 */
final class Int8Quantizer {

  private final FrozenGraph graph;
  private final OnnxGraphBuilder onnx;
  private final Views views;
  private final Precision precision;
  private final CalibrationTable calibration;
  private ResidualAdds residualAdds;

  /** Activations without a scale, to the node that wanted them quantized. */
  final Map<String, String> unquantized = new LinkedHashMap<>();
  /** Activations that got Q/DQ: none at all, with some asked for, means a table for another model. */
  int quantizedActivations;

  Int8Quantizer(FrozenGraph graph, OnnxGraphBuilder onnx, Views views, Precision precision,
      CalibrationTable calibration) {
    this.graph = graph;
    this.onnx = onnx;
    this.views = views;
    this.precision = precision;
    this.calibration = calibration;
  }

  /** Which inputs of a residual add get Q/DQ (the same rule calibration used to pick its tensors). */
  ResidualAdds residualAdds() {
    if (residualAdds == null) {
      residualAdds = new ResidualAdds(graph);
    }
    return residualAdds;
  }

  /** The calibrated scale of a tensor, looked up as {@code node:0} and as the bare node name. */
  Optional<Float> scale(String tfName) {
    if (calibration == null) {
      return Optional.empty();
    }
    Optional<Float> s = calibration.scale(tfName);
    if (s.isEmpty() && tfName.endsWith(":0")) {
      s = calibration.scale(tfName.substring(0, tfName.length() - 2));
    }
    return s.filter(x -> x > 0 && Float.isFinite(x));
  }

  /**
   * An activation as an INT8-quantized layer reads it: QuantizeLinear then DequantizeLinear (to the
   * between-layers type) with the calibrated per-tensor scale. Without a policy that quantizes, or
   * without a scale (then listed in the report), the plain view.
   */
  String activation(TensorValue v, Layout layout, Node reader) {
    if (!precision.quantized() || v.isConstant()) {
      return views.view(v, layout);
    }
    Optional<Float> scale = scale(v.tfName);
    if (scale.isEmpty()) {
      unquantized.putIfAbsent(v.tfName, reader.name());
      return views.view(v, layout);
    }
    int type = views.computeType(v);
    TensorValue.ViewKey key = new TensorValue.ViewKey(layout, type, true);
    String have = v.views.get(key);
    if (have != null) {
      return have;
    }
    String x = views.view(v, layout, type);
    String s = onnx.scalar(v.tfName + "_scale", scale.get(), type);
    String zp = onnx.int8s(v.tfName + "_zero_point", new long[0], new byte[] {0});
    String q = onnx.node("QuantizeLinear", List.of(x, s, zp), v.tfName + "_quantized");
    String dq = onnx.node("DequantizeLinear", List.of(q, s, zp), v.tfName + "_dequantized");
    v.views.put(key, dq);
    quantizedActivations++;
    return dq;
  }

  /**
   * Weights with per-output-channel INT8 Q/DQ along {@code axis} 0 ({@code [out, ...]} layout): INT8
   * initializer, scale amax/127 per channel, DequantizeLinear to the between-layers type.
   */
  String quantizedWeights(String base, long[] dims, float[] w) {
    int out = (int) dims[0];
    int per = w.length / out;
    float[] scales = new float[out];
    byte[] q = new byte[w.length];
    for (int o = 0; o < out; o++) {
      float amax = 0;
      for (int i = 0; i < per; i++) {
        amax = Math.max(amax, Math.abs(w[o * per + i]));
      }
      float s = amax > 0 ? amax / CalibrationTable.QMAX : 1f; // an all-zero channel quantizes to zeros
      if (views.floatType() == OnnxDataType.FLOAT16) {
        s = io.trtfleet.onnx.Half.round(s); // the scale the DQ will really use
      }
      scales[o] = s;
      for (int i = 0; i < per; i++) {
        long r = Math.round(w[o * per + i] / s);
        q[o * per + i] = (byte) Math.max(-127, Math.min(127, r));
      }
    }
    String qw = onnx.int8s(base + "_int8", dims, q);
    String sc = onnx.floats(base + "_scale", new long[] {out}, scales, views.floatType());
    String zp = onnx.int8s(base + "_zero_point", new long[] {out}, new byte[out]);
    return onnx.node("DequantizeLinear", List.of(qw, sc, zp), base + "_dequantized",
        OnnxGraphBuilder.attr("axis", 0L));
  }
}
