package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.onnx.OnnxDataType;
import io.trtfleet.onnx.OnnxGraphBuilder;
import java.util.List;

/**
 * Quantization-aware training's fake quantization (FakeQuantWithMinMaxVars, ...Args, ...VarsPerChannel)
 * as explicit INT8: Clip to the nudged range, QuantizeLinear, DequantizeLinear, with TensorFlow's nudged
 * scale and zero point (fake_quant_ops_functor.h), so ONNX Runtime reproduces TensorFlow's values. Codes
 * are int8 (the uint8 code minus 128): a symmetric range gives zero point 0, the form TensorRT runs as
 * INT8 directly; an asymmetric one keeps its zero point (noted in the report: TensorRT needs 0).
 */
final class FakeQuantConverter implements OpConverter {

  /** TensorFlow's Nudge(): scale, and the zero point as an integer in [quant_min, quant_max]. */
  record Nudged(float scale, int zeroPoint, float min, float max) {
    static Nudged of(float min, float max, int bits, boolean narrow) {
      float quantMin = narrow ? 1 : 0;
      float quantMax = (1 << bits) - 1;
      float scale = (max - min) / (quantMax - quantMin);
      float zeroFromMin = quantMin - min / scale;
      int zero = zeroFromMin < quantMin ? (int) quantMin : zeroFromMin > quantMax ? (int) quantMax
          : Math.round(zeroFromMin);
      return new Nudged(scale, zero, (quantMin - zero) * scale, (quantMax - zero) * scale);
    }
  }

  @Override
  public void convert(Node node, ConversionContext ctx) {
    TensorValue x = ctx.in(node, 0);
    int bits = (int) node.intAttr("num_bits", 8);
    if (bits < 2 || bits > 8) {
      throw new UnsupportedNodeException(node, "num_bits " + bits + " (INT8 Q/DQ holds 2 to 8 bits)");
    }
    boolean narrow = node.boolAttr("narrow_range", false);
    float[] min;
    float[] max;
    if (node.op().equals("FakeQuantWithMinMaxArgs")) {
      min = new float[] {node.floatAttr("min", -6f)};
      max = new float[] {node.floatAttr("max", 6f)};
    } else {
      min = ctx.constantInput(node, 1, "min").floats();
      max = ctx.constantInput(node, 2, "max").floats();
    }
    boolean perChannel = node.op().equals("FakeQuantWithMinMaxVarsPerChannel");
    int n = min.length;
    float[] scales = new float[n];
    float[] lows = new float[n];
    float[] highs = new float[n];
    byte[] zeros = new byte[n];
    for (int i = 0; i < n; i++) {
      if (!(max[i] > min[i])) {
        throw new UnsupportedNodeException(node, "range [" + min[i] + ", " + max[i] + "] is empty");
      }
      Nudged q = Nudged.of(min[i], max[i], bits, narrow);
      scales[i] = q.scale();
      lows[i] = q.min();
      highs[i] = q.max();
      zeros[i] = (byte) (q.zeroPoint() - 128);
    }
    boolean symmetric = true;
    for (byte z : zeros) {
      symmetric &= z == 0;
    }
    if (!symmetric) {
      ctx.notes.note(node.op() + " with an asymmetric range keeps a non-zero INT8 zero point (TensorRT needs 0)");
    }
    Layout layout = perChannel ? Layout.AS_IS : x.layout();
    String in = ctx.view(x, layout, OnnxDataType.FLOAT);
    String name = TensorRef.of(node.name(), 0).tensorName();
    var onnx = ctx.onnx;
    long[] dims = perChannel ? new long[] {n} : new long[0];
    String clipped = onnx.node("Max", List.of(onnx.node("Min", List.of(in,
        onnx.floats(node.name() + "/max", dims, highs, OnnxDataType.FLOAT)), name + "_upper"),
        onnx.floats(node.name() + "/min", dims, lows, OnnxDataType.FLOAT)), name + "_clipped");
    String scale = onnx.floats(node.name() + "/scale", dims, scales, OnnxDataType.FLOAT);
    String zero = onnx.int8s(node.name() + "/zero_point", dims, zeros);
    var axisAttr = perChannel ? OnnxGraphBuilder.attr("axis", (long) (x.rank() - 1)) : null;
    String q = onnx.node("QuantizeLinear", List.of(clipped, scale, zero), name + "_quantized", axisAttr);
    String dq = onnx.node("DequantizeLinear", List.of(q, scale, zero), name, axisAttr);
    ctx.define(node, 0, dq, layout, OnnxDataType.FLOAT);
  }
}
