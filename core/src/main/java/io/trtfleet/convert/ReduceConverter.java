package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.onnx.OnnxDataType;
import io.trtfleet.quantize.GlobalAveragePools;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Mean/Sum/Max/Min/Prod over constant axes. An NCHW input is reduced in place (axes renumbered), so no
 * Transpose is needed; a Mean over H and W becomes GlobalAveragePool. Under FP16 other reductions run in
 * FP32 (TensorRT's guidance: accumulating many FP16 values loses precision).
 */
final class ReduceConverter implements OpConverter {

  static final Map<String, String> OPS = Map.of("Mean", "ReduceMean", "Sum", "ReduceSum", "Max", "ReduceMax",
      "Min", "ReduceMin", "Prod", "ReduceProd");

  @Override
  public void convert(Node node, ConversionContext ctx) {
    TensorValue x = ctx.in(node, 0);
    if (x.isConstant() || x.rank() < 0) {
      throw new UnsupportedNodeException(node, "needs a non-constant input of known rank");
    }
    long[] axes = ctx.constantInput(node, 1, "reduction axes").longs();
    boolean keep = node.boolAttr("keep_dims", false);
    int rank = x.rank();
    Layout layout = x.layout();
    if (layout == Layout.NCHW && isFloat(x) && GlobalAveragePools.is(ctx.graph, node)) {
      globalAveragePool(node, ctx, x, keep);
      return;
    }
    if (layout == Layout.NCHW && !keep) {
      // The output drops axes: it is NCHW-compatible only if it keeps rank 4, so then read as is
      // unless the reduced axes include H and W but not C (result [N, C] in both layouts).
      long[] sorted = Arrays.stream(axes).map(a -> a < 0 ? a + rank : a).sorted().toArray();
      if (!Arrays.equals(sorted, new long[] {1, 2}) && !Arrays.equals(sorted, new long[] {1, 2, 3})
          && !Arrays.equals(sorted, new long[] {0, 1, 2, 3})) {
        layout = Layout.AS_IS;
      }
    }
    long[] onnxAxes = new long[axes.length];
    for (int i = 0; i < axes.length; i++) {
      long a = axes[i] < 0 ? axes[i] + rank : axes[i];
      onnxAxes[i] = layout == Layout.NCHW ? Layout.NHWC_AXIS_IN_NCHW[(int) a] : a;
    }
    Arrays.sort(onnxAxes);
    int type = isFloat(x) && !node.op().equals("Max") && !node.op().equals("Min") ? OnnxDataType.FLOAT : ctx.computeType(x);
    String in = ctx.view(x, layout, type);
    String out = ctx.onnx.node(OPS.get(node.op()), List.of(in, ctx.onnx.int64s(node.name() + "/axes", onnxAxes)),
        TensorRef.of(node.name(), 0).tensorName(), io.trtfleet.onnx.OnnxGraphBuilder.attr("keepdims", keep ? 1L : 0L));
    // [N,C] after reducing H and W of an NCHW input is already in TensorFlow's order.
    Layout outLayout = keep && layout == Layout.NCHW ? Layout.NCHW : Layout.AS_IS;
    if (type == OnnxDataType.FLOAT) {
      ctx.notes.keptInFp32(node, "long FP16 accumulations lose precision");
    }
    ctx.define(node, 0, out, outLayout, type);
  }

  /**
   * Keras' GlobalAveragePooling2D (a Mean over H and W) as ONNX GlobalAveragePool in the between-layers
   * type, its input Q/DQ'd under INT8: TensorRT runs it as a pooling layer that the last residual block's
   * conv + add + ReLU feeds directly (writing INT8 under INT8), where a ReduceMean in FP32 pulled the add
   * and two reformats into a separate Myelin region. TensorRT's own FP16 ResNet-50 (the ONNX-parser
   * anchor) pools in FP16 too.
   */
  private static void globalAveragePool(Node node, ConversionContext ctx, TensorValue x, boolean keep) {
    int type = ctx.computeType(x);
    String pooled = ctx.onnx.node("GlobalAveragePool", List.of(ctx.activation(x, Layout.NCHW, node)),
        keep ? TensorRef.of(node.name(), 0).tensorName() : node.name() + "_pooled");
    if (keep) {
      ctx.define(node, 0, pooled, Layout.NCHW, type);
      return;
    }
    // [N, C, 1, 1] -> [N, C]: TensorFlow's order already.
    String out = ctx.onnx.node("Flatten", List.of(pooled), TensorRef.of(node.name(), 0).tensorName(),
        io.trtfleet.onnx.OnnxGraphBuilder.attr("axis", 1L));
    ctx.define(node, 0, out, Layout.AS_IS, type);
    ctx.values.value(TensorRef.of(node.name(), 0)).unflattened = pooled;
  }

  private static boolean isFloat(TensorValue x) {
    return OnnxDataType.isFloat(OnnxDataType.of(x.spec.dtype()));
  }
}
