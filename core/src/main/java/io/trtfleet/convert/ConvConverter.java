package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.onnx.OnnxGraphBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * Conv2D (any groups) and DepthwiseConv2dNative to ONNX Conv on the NCHW view. The HWIO kernel is
 * re-laid out once to OIHW (depthwise HWCM to [C*M,1,H,W], group C); following BiasAdd/BatchNorm are
 * folded in. Under INT8 the input gets per-tensor Q/DQ and the weights per-output-channel Q/DQ.
 */
final class ConvConverter implements OpConverter {

  @Override
  public void convert(Node node, ConversionContext ctx) {
    boolean depthwise = node.op().equals("DepthwiseConv2dNative");
    Spatial sp = Spatial.of(node);
    TensorValue x = ctx.in(node, 0);
    if (x.rank() != 4) {
      throw new UnsupportedNodeException(node, "input rank " + x.rank() + " (needs 4)");
    }
    Constant f = ctx.constantInput(node, 1, "filter");
    if (!f.isFloat() || f.rank() != 4) {
      throw new UnsupportedNodeException(node, "filter must be a rank-4 float constant");
    }
    long[] fs = f.shape();
    int kh = (int) fs[0], kw = (int) fs[1], fi = (int) fs[2], fo = (int) fs[3];
    long cin = sp.channels(x.shape());
    if (cin < 0) {
      // Unknown at conversion: the filter's input channels (group 1, a depthwise filter's own channels);
      // a grouped input would fail ONNX Runtime's and TensorRT's shape checks, never compute silently.
      cin = fi;
      ctx.notes.note(node.op() + " with unknown input channels converted as " + fi + " channels (group 1)");
    }
    int outC;
    long group;
    float[] w;
    if (depthwise) {
      if (cin != fi) {
        throw new UnsupportedNodeException(node, "filter has " + fi + " channels, input " + cin);
      }
      outC = fi * fo;
      group = fi;
      w = new float[outC * kh * kw];
      for (int y = 0; y < kh; y++) {
        for (int xx = 0; xx < kw; xx++) {
          for (int c = 0; c < fi; c++) {
            for (int m = 0; m < fo; m++) {
              w[((c * fo + m) * kh + y) * kw + xx] = f.floats()[((y * kw + xx) * fi + c) * fo + m];
            }
          }
        }
      }
    } else {
      if (cin % fi != 0) {
        throw new UnsupportedNodeException(node, "input channels " + cin + " not a multiple of filter's " + fi);
      }
      outC = fo;
      group = cin / fi;
      w = new float[fo * fi * kh * kw];
      for (int y = 0; y < kh; y++) {
        for (int xx = 0; xx < kw; xx++) {
          for (int i = 0; i < fi; i++) {
            for (int o = 0; o < fo; o++) {
              w[((o * fi + i) * kh + y) * kw + xx] = f.floats()[((y * kw + xx) * fi + i) * fo + o];
            }
          }
        }
      }
    }
    float[] bias = new float[outC];
    Node last = ChannelEpilogue.fold(ctx, node, w, bias, sp.nhwc ? 3 : 1);
    long[] wdims = {outC, depthwise ? 1 : fi, kh, kw};
    Layout layout = sp.channelsFirst();
    String base = node.name();

    String input;
    String weights;
    // Every convolution, the 3-channel first one too: TensorRT 10 has INT8 kernels for it (ResNet-50 on
    // the H200: 10% more images/s than with conv1 in FP16, docs/benchmarks/gpu.md).
    if (ctx.precision().quantized() && ctx.quantizer.scale(x.tfName).isPresent()) {
      input = ctx.activation(x, layout, node);
      weights = ctx.quantizer.quantizedWeights(base + "/kernel", wdims, w);
    } else {
      if (ctx.precision().quantized()) {
        ctx.activation(x, layout, node); // records the missing scale in the report
      }
      input = ctx.view(x, layout);
      weights = ctx.onnx.floats(base + "/kernel", wdims, w, ctx.floatType());
    }
    List<String> inputs = new ArrayList<>(List.of(input, weights));
    if (last != node) {
      inputs.add(ctx.onnx.floats(base + "/bias", new long[] {outC}, bias, ctx.floatType()));
    }
    long[] pads = sp.pads(node, x.shape(), new long[] {kh, kw});
    long[] folded = ctx.scope.foldedPads(x);
    if (pads != null) {
      for (int i = 0; i < 4; i++) {
        pads[i] += folded[i];
      }
    }
    String out = ctx.onnx.node("Conv", inputs, TensorRef.of(last.name(), 0).tensorName(),
        OnnxGraphBuilder.ints("kernel_shape", kh, kw),
        OnnxGraphBuilder.ints("strides", sp.strides),
        OnnxGraphBuilder.ints("dilations", sp.dilations),
        OnnxGraphBuilder.attr("group", group),
        pads == null ? OnnxGraphBuilder.attr("auto_pad", "SAME_UPPER") : OnnxGraphBuilder.ints("pads", pads));
    ctx.define(last, 0, out, layout, ctx.floatType());
  }
}
