package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.onnx.OnnxGraphBuilder;
import java.util.List;

/**
 * Conv2DBackpropInput (conv2d_transpose) to ONNX ConvTranspose on the NCHW view. The HWOI filter becomes
 * [in, out, H, W]; pads and output_padding are computed from the constant output size so the result
 * has TensorFlow's exact shape and alignment.
 */
final class ConvTransposeConverter implements OpConverter {

  @Override
  public void convert(Node node, ConversionContext ctx) {
    Spatial sp = Spatial.of(node);
    long[] outSize = ctx.constantInput(node, 0, "input_sizes").longs();
    Constant f = ctx.constantInput(node, 1, "filter");
    TensorValue x = ctx.in(node, 2);
    if (!f.isFloat() || f.rank() != 4 || x.rank() != 4 || outSize.length != 4) {
      throw new UnsupportedNodeException(node, "needs rank-4 float filter, input and input_sizes");
    }
    long[] fs = f.shape();
    int kh = (int) fs[0], kw = (int) fs[1], co = (int) fs[2], ci = (int) fs[3];
    float[] w = new float[ci * co * kh * kw];
    for (int y = 0; y < kh; y++) {
      for (int xx = 0; xx < kw; xx++) {
        for (int o = 0; o < co; o++) {
          for (int i = 0; i < ci; i++) {
            w[((i * co + o) * kh + y) * kw + xx] = f.floats()[((y * kw + xx) * co + o) * ci + i];
          }
        }
      }
    }
    long[] in = sp.spatialDims(x.shape());
    long[] out = sp.spatialDims(outSize);
    if (in[0] < 0 || in[1] < 0) {
      throw new UnsupportedNodeException(node, "input height/width unknown");
    }
    boolean same = node.stringAttr("padding", "VALID").equals("SAME");
    if (!same && !node.stringAttr("padding", "VALID").equals("VALID")) {
      throw new UnsupportedNodeException(node, "padding " + node.stringAttr("padding", ""));
    }
    long[] k = {kh, kw};
    long[] pads = new long[4];
    long[] outputPadding = new long[2];
    for (int i = 0; i < 2; i++) {
      long effective = (k[i] - 1) * sp.dilations[i] + 1;
      // The forward conv maps out[i] -> in[i]; its padding is what this transpose removes.
      long total = same ? Math.max((in[i] - 1) * sp.strides[i] + effective - out[i], 0) : 0;
      pads[i] = total / 2;
      pads[i + 2] = total - total / 2;
      outputPadding[i] = out[i] - ((in[i] - 1) * sp.strides[i] + effective - total);
      if (outputPadding[i] < 0 || outputPadding[i] >= Math.max(sp.strides[i], sp.dilations[i])) {
        throw new UnsupportedNodeException(node, "output size " + out[i] + " not reachable from input " + in[i]);
      }
    }
    Layout layout = sp.channelsFirst();
    String weights = ctx.onnx.floats(node.name() + "/kernel", new long[] {ci, co, kh, kw}, w, ctx.floatType());
    String y = ctx.onnx.node("ConvTranspose", List.of(ctx.view(x, layout), weights),
        TensorRef.of(node.name(), 0).tensorName(),
        OnnxGraphBuilder.ints("kernel_shape", kh, kw), OnnxGraphBuilder.ints("strides", sp.strides),
        OnnxGraphBuilder.ints("dilations", sp.dilations), OnnxGraphBuilder.ints("pads", pads),
        OnnxGraphBuilder.ints("output_padding", outputPadding));
    ctx.define(node, 0, y, layout, ctx.floatType());
  }
}
