package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.onnx.OnnxGraphBuilder;
import java.util.Arrays;
import java.util.List;

/**
 * Transpose with a constant permutation. A graph that transposes NHWC to NCHW itself gets our NCHW
 * view back for free (no node), which removes the transpose pairs such graphs would otherwise leave.
 */
final class TransposeConverter implements OpConverter {

  @Override
  public void convert(Node node, ConversionContext ctx) {
    TensorValue x = ctx.in(node, 0);
    long[] perm = ctx.constantInput(node, 1, "permutation").longs();
    if (x.isConstant()) {
      throw new UnsupportedNodeException(node, "constant input (fold constants before conversion)");
    }
    if (x.rank() == 4 && Arrays.equals(perm, Layout.TO_NCHW)) {
      String nchw = ctx.view(x, Layout.NCHW);
      ctx.define(node, 0, nchw, Layout.AS_IS, ctx.computeType(x));
      return;
    }
    String out = ctx.onnx.node("Transpose", List.of(ctx.view(x, Layout.AS_IS)),
        TensorRef.of(node.name(), 0).tensorName(), OnnxGraphBuilder.ints("perm", perm));
    ctx.define(node, 0, out, Layout.AS_IS, ctx.computeType(x));
  }
}
