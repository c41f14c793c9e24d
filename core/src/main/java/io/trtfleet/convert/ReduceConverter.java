package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.onnx.OnnxDataType;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Mean/Sum/Max/Min/Prod over constant axes. An NCHW input is reduced in place (axes renumbered), so a
 * global average pool needs no Transpose. Under FP16 the reduction runs in FP32 (TensorRT's guidance:
 * accumulating many FP16 values loses precision).
 */
final class ReduceConverter implements OpConverter {

  static final Map<String, String> OPS = Map.of("Mean", "ReduceMean", "Sum", "ReduceSum", "Max", "ReduceMax",
      "Min", "ReduceMin", "Prod", "ReduceProd");

  @Override
  public void convert(Node node, ConversionContext ctx) {
    ConversionContext.Value x = ctx.in(node, 0);
    if (x.isConstant() || x.rank() < 0) {
      throw new UnsupportedNodeException(node, "needs a non-constant input of known rank");
    }
    long[] axes = ctx.constantInput(node, 1, "reduction axes").longs();
    boolean keep = node.boolAttr("keep_dims", false);
    int rank = x.rank();
    Layout layout = x.layout();
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
    boolean isFloat = OnnxDataType.isFloat(OnnxDataType.of(x.spec.dtype()));
    int type = isFloat && !node.op().equals("Max") && !node.op().equals("Min") ? OnnxDataType.FLOAT : ctx.computeType(x);
    String in = ctx.view(x, layout, type);
    String out = ctx.onnx.node(OPS.get(node.op()), List.of(in, ctx.onnx.int64s(node.name() + "/axes", onnxAxes)),
        TensorRef.of(node.name(), 0).tensorName(), io.trtfleet.onnx.OnnxGraphBuilder.attr("keepdims", keep ? 1L : 0L));
    // [N,C] after reducing H and W of an NCHW input is already in TensorFlow's order.
    Layout outLayout = keep && layout == Layout.NCHW ? Layout.NCHW : Layout.AS_IS;
    if (type == OnnxDataType.FLOAT) {
      ctx.keptInFp32(node, "long FP16 accumulations lose precision");
    }
    ctx.define(node, 0, out, outLayout, type);
  }
}
