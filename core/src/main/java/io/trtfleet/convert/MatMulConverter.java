package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.onnx.OnnxGraphBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * MatMul. With a constant right-hand side (a dense layer) it becomes Gemm with the weights stored as
 * [units, inputs] (transB=1, the fully connected form TensorRT expects, output channel on axis 0 for
 * per-channel weight Q/DQ) and a following BiasAdd/Add folded into C; quantized over a global average pool, a
 * 1x1 convolution ({@link #convolutionOverPool}). Otherwise a plain MatMul.
 */
final class MatMulConverter implements OpConverter {

  @Override
  public void convert(Node node, ConversionContext ctx) {
    TensorValue a = ctx.in(node, 0);
    TensorValue b = ctx.in(node, 1);
    boolean batched = node.op().startsWith("BatchMatMul");
    boolean transA = node.boolAttr(batched ? "adj_x" : "transpose_a", false);
    boolean transB = node.boolAttr(batched ? "adj_y" : "transpose_b", false);
    if (a.rank() < 2 || b.rank() < 2) {
      throw new UnsupportedNodeException(node, "MatMul of rank " + a.rank() + " x " + b.rank());
    }
    if (a.rank() != 2 || b.rank() != 2) {
      batchMatMul(node, ctx, a, b, transA, transB);
      return;
    }
    if (b.isConstant() && !a.isConstant() && b.constant.isFloat()) {
      gemm(node, ctx, a, b.constant, transA, transB);
      return;
    }
    String left = ctx.activation(a, Layout.AS_IS, node);
    String right = ctx.activation(b, Layout.AS_IS, node);
    if (transA) {
      left = ctx.onnx.node("Transpose", List.of(left), a.tfName + "_t", OnnxGraphBuilder.ints("perm", 1, 0));
    }
    if (transB) {
      right = ctx.onnx.node("Transpose", List.of(right), b.tfName + "_t", OnnxGraphBuilder.ints("perm", 1, 0));
    }
    String out = ctx.onnx.node("MatMul", List.of(left, right), TensorRef.of(node.name(), 0).tensorName());
    ctx.define(node, 0, out, Layout.AS_IS, ctx.floatType());
  }

  /** Batched: ONNX MatMul broadcasts leading dims; adjoints swap the last two dims first. */
  private static void batchMatMul(Node node, ConversionContext ctx, TensorValue a, TensorValue b,
      boolean transA, boolean transB) {
    String left = transposeLast(ctx, ctx.activation(a, Layout.AS_IS, node), a.rank(), transA);
    String right = transposeLast(ctx, ctx.activation(b, Layout.AS_IS, node), b.rank(), transB);
    String out = ctx.onnx.node("MatMul", List.of(left, right), TensorRef.of(node.name(), 0).tensorName());
    ctx.define(node, 0, out, Layout.AS_IS, ctx.floatType());
  }

  private static String transposeLast(ConversionContext ctx, String x, int rank, boolean swap) {
    if (!swap) {
      return x;
    }
    long[] perm = new long[rank];
    for (int i = 0; i < rank; i++) {
      perm[i] = i;
    }
    perm[rank - 2] = rank - 1;
    perm[rank - 1] = rank - 2;
    return ctx.onnx.node("Transpose", List.of(x), x + "_t", OnnxGraphBuilder.ints("perm", perm));
  }

  private static void gemm(Node node, ConversionContext ctx, TensorValue a, Constant b,
      boolean transA, boolean transB) {
    long[] s = b.shape();
    int k = (int) (transB ? s[1] : s[0]);
    int units = (int) (transB ? s[0] : s[1]);
    float[] w = new float[units * k]; // [units, k]: row per output unit
    for (int i = 0; i < k; i++) {
      for (int u = 0; u < units; u++) {
        w[u * k + i] = transB ? b.floats()[u * k + i] : b.floats()[i * units + u];
      }
    }
    float[] bias = new float[units];
    Node last = ChannelEpilogue.fold(ctx, node, w, bias, 1);
    String base = node.name();
    Optional<String> pooled = transA ? Optional.empty() : ctx.quantizer.unflattenedActivation(a);
    if (pooled.isPresent()) {
      convolutionOverPool(ctx, node, last, pooled.get(), w, bias, units, k);
      return;
    }
    long[] dims = {units, k};
    boolean quantize = ctx.precision().quantized() && ctx.quantizer.scale(a.tfName).isPresent();
    String input = ctx.activation(a, Layout.AS_IS, node);
    String weights = quantize ? ctx.quantizer.quantizedWeights(base + "/kernel", dims, w)
        : ctx.onnx.floats(base + "/kernel", dims, w, ctx.floatType());
    List<String> inputs = new ArrayList<>(List.of(input, weights));
    if (last != node) {
      inputs.add(ctx.onnx.floats(base + "/bias", new long[] {units}, bias, ctx.floatType()));
    }
    String out = ctx.onnx.node("Gemm", inputs, TensorRef.of(last.name(), 0).tensorName(),
        OnnxGraphBuilder.attr("transA", transA ? 1L : 0L), OnnxGraphBuilder.attr("transB", 1L));
    ctx.define(last, 0, out, Layout.AS_IS, ctx.floatType());
  }

  /**
   * A quantized dense layer over a global average pool as a 1x1 convolution of the [N, C, 1, 1] pool
   * output, flattened after: the Q/DQ then sits on the pool's 4-D output, so TensorRT pools in INT8 and
   * runs the classifier as an INT8 convolution, as in its own implicit-INT8 ResNet-50 (docs/benchmarks/gpu.md).
   * Over the flattened [N, C] tensor its explicit-quantization path pooled in FP16 and gave the dense
   * layer to a separate Myelin region with its own quantize kernel.
   */
  private static void convolutionOverPool(ConversionContext ctx, Node node, Node last, String pooled, float[] w,
      float[] bias, int units, int k) {
    String base = node.name();
    List<String> inputs = new ArrayList<>(List.of(pooled,
        ctx.quantizer.quantizedWeights(base + "/kernel", new long[] {units, k, 1, 1}, w)));
    if (last != node) {
      inputs.add(ctx.onnx.floats(base + "/bias", new long[] {units}, bias, ctx.floatType()));
    }
    String conv = ctx.onnx.node("Conv", inputs, base + "_conv1x1");
    String out = ctx.onnx.node("Flatten", List.of(conv), TensorRef.of(last.name(), 0).tensorName(),
        OnnxGraphBuilder.attr("axis", 1L));
    ctx.define(last, 0, out, Layout.AS_IS, ctx.floatType());
  }
}
