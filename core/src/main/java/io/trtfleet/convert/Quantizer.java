package io.trtfleet.convert;

import io.trtfleet.Precision;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.onnx.Float8E4M3;
import io.trtfleet.onnx.Half;
import io.trtfleet.onnx.OnnxDataType;
import io.trtfleet.onnx.OnnxGraphBuilder;
import io.trtfleet.quantize.CalibrationTable;
import io.trtfleet.quantize.ResidualAdds;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Explicit quantization, INT8 or FP8 E4M3: calibrated per-tensor Q/DQ on the activations a quantized
 * layer reads, per-output-channel Q/DQ on its weights. The scale of a tensor is its calibrated amax over
 * the quantized type's largest value (127 or 448), so one calibration serves both. Tensors the options
 * keep in float (mixed precision) and tensors without a usable scale (listed in the report) are read as
 * plain float, and so are the weights of the layers reading them.
 */
final class Quantizer {

  private final FrozenGraph graph;
  private final OnnxGraphBuilder onnx;
  private final Views views;
  private final Precision precision;
  private final CalibrationTable calibration;
  private final Set<String> keepFloat;
  private ResidualAdds residualAdds;

  /** Activations without a scale, to the node that wanted them quantized. */
  final Map<String, String> unquantized = new LinkedHashMap<>();
  /** Activations that got Q/DQ, in conversion order: none at all, with some asked for, means a table for another model. */
  final List<String> quantized = new ArrayList<>();

  Quantizer(FrozenGraph graph, OnnxGraphBuilder onnx, Views views, ConversionOptions options) {
    this.graph = graph;
    this.onnx = onnx;
    this.views = views;
    this.precision = options.precision();
    this.calibration = options.calibration();
    this.keepFloat = options.keepFloat();
  }

  /** Which inputs of a residual add get Q/DQ (the same rule calibration used to pick its tensors). */
  ResidualAdds residualAdds() {
    if (residualAdds == null) {
      residualAdds = new ResidualAdds(graph);
    }
    return residualAdds;
  }

  /**
   * The scale a quantized layer reads {@code tfName} with: its calibrated amax (looked up as {@code node:0}
   * and as the bare node name) over the quantized type's largest value, as the between-layers type holds
   * it. Empty when the tensor is kept in float, has no scale, or its scale underflows that type.
   */
  Optional<Float> scale(String tfName) {
    if (calibration == null || kept(tfName)) {
      return Optional.empty();
    }
    Optional<Float> s = calibration.scale(tfName);
    if (s.isEmpty() && tfName.endsWith(":0")) {
      s = calibration.scale(bare(tfName));
    }
    return s.map(this::forType).map(this::stored).filter(x -> x > 0 && Float.isFinite(x));
  }

  /** A table's INT8 scale (amax / 127) as the scale of the quantized type: the INT8 one as written, amax / 448 for FP8. */
  private float forType(float int8Scale) {
    float qmax = precision.quantizedType().maxValue();
    return qmax == CalibrationTable.QMAX ? int8Scale : (float) ((double) int8Scale * CalibrationTable.QMAX / qmax);
  }

  private boolean kept(String tfName) {
    return keepFloat.contains(tfName) || (tfName.endsWith(":0") && keepFloat.contains(bare(tfName)));
  }

  private static String bare(String tfName) {
    return tfName.substring(0, tfName.length() - 2);
  }

  /** A scale as the DQ will really use it: rounded to FP16 when that is the between-layers type. */
  private float stored(float scale) {
    return views.floatType() == OnnxDataType.FLOAT16 ? Half.round(scale) : scale;
  }

  /**
   * An activation as a quantized layer reads it: QuantizeLinear then DequantizeLinear (to the
   * between-layers type) with the calibrated per-tensor scale. Without a policy that quantizes, for a
   * tensor kept in float, or without a scale (then listed in the report), the plain view.
   */
  String activation(TensorValue v, Layout layout, Node reader) {
    if (!precision.quantized() || v.isConstant() || kept(v.tfName)) {
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
    String dq = qdq(views.view(v, layout, type), v.tfName, scale.get(), type);
    v.views.put(key, dq);
    return dq;
  }

  /**
   * The [N, C, 1, 1] value a global-average-pooled {@code v} was flattened from ({@link TensorValue#unflattened}),
   * Q/DQ'd with {@code v}'s scale; empty when {@code v} has no such value or is not quantized.
   */
  Optional<String> unflattenedActivation(TensorValue v) {
    if (!precision.quantized() || v.unflattened == null) {
      return Optional.empty();
    }
    int type = views.computeType(v);
    return scale(v.tfName).map(s -> qdq(v.unflattened, v.tfName, s, type));
  }

  /** Q then DQ of {@code x} with {@code tfName}'s scale (value names are made unique by the builder). */
  private String qdq(String x, String tfName, float scale, int type) {
    String s = onnx.scalar(tfName + "_scale", scale, type);
    String zp = zeroPoints(tfName + "_zero_point", new long[0]);
    String q = onnx.node("QuantizeLinear", List.of(x, s, zp), tfName + "_quantized");
    if (!quantized.contains(tfName)) {
      quantized.add(tfName);
    }
    return onnx.node("DequantizeLinear", List.of(q, s, zp), tfName + "_dequantized");
  }

  /** Zeros of the quantized type: their type is what makes a Q/DQ pair INT8 or FP8. */
  private String zeroPoints(String base, long[] dims) {
    int n = dims.length == 0 ? 1 : (int) dims[0];
    return precision.quantizedType() == Precision.QuantizedType.FP8_E4M3 ? onnx.float8s(base, dims, new byte[n])
        : onnx.int8s(base, dims, new byte[n]);
  }

  /**
   * Weights with per-output-channel Q/DQ along {@code axis} 0 ({@code [out, ...]} layout): an INT8 or FP8
   * initializer, scale amax over the type's largest value per channel, DequantizeLinear to the
   * between-layers type.
   */
  String quantizedWeights(String base, long[] dims, float[] w) {
    int out = (int) dims[0];
    int per = w.length / out;
    boolean fp8 = precision.quantizedType() == Precision.QuantizedType.FP8_E4M3;
    float qmax = precision.quantizedType().maxValue();
    float[] scales = new float[out];
    byte[] q = new byte[w.length];
    for (int o = 0; o < out; o++) {
      float amax = 0;
      for (int i = 0; i < per; i++) {
        amax = Math.max(amax, Math.abs(w[o * per + i]));
      }
      float s = stored(amax / qmax);
      if (!(s > 0)) {
        s = 1f; // an all-zero channel (or one too small for the scale's type) quantizes to zeros
      }
      scales[o] = s;
      for (int i = 0; i < per; i++) {
        float x = w[o * per + i] / s;
        q[o * per + i] = fp8 ? Float8E4M3.fromFloat(x) : (byte) Math.max(-127, Math.min(127, Math.round(x)));
      }
    }
    String qw = fp8 ? onnx.float8s(base + "_fp8", dims, q) : onnx.int8s(base + "_int8", dims, q);
    String sc = onnx.floats(base + "_scale", new long[] {out}, scales, views.floatType());
    String zp = zeroPoints(base + "_zero_point", new long[] {out});
    return onnx.node("DequantizeLinear", List.of(qw, sc, zp), base + "_dequantized",
        OnnxGraphBuilder.attr("axis", 0L));
  }
}
