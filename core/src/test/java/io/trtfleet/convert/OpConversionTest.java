package io.trtfleet.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.verify.OutputComparison;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;

/**
 * Every supported op: a small graph containing it (odd sizes, SAME/VALID, strides, dilations, groups,
 * both layouts), converted to FP32 ONNX, checked by the ONNX checker and run by ONNX Runtime against
 * TensorFlow on random input with a dynamic batch of 3.
 */
class OpConversionTest {

  /** FP32 bound on relative RMS error per output (the maximum is 1e-4; typical is far lower). */
  static final double FP32_TOLERANCE = 1e-5;

  private static final Set<String> COVERED = new TreeSet<>();

  @TempDir Path tmp;

  record Case(String name, long[] shape, BiFunction<TfBuilder, Placeholder<TFloat32>, Map<String, Operand<TFloat32>>> body) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Map<String, Operand<TFloat32>> outs(Object... kv) {
    Map<String, Operand<TFloat32>> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      @SuppressWarnings("unchecked")
      Operand<TFloat32> o = (Operand<TFloat32>) kv[i + 1];
      m.put((String) kv[i], o);
    }
    return m;
  }

  static long[] s(long... d) {
    return d;
  }

  static Stream<Arguments> cases() {
    List<Case> cases = List.of(
        new Case("conv SAME stride 1 + BiasAdd + Relu", s(-1, 9, 11, 3), (b, x) -> outs("y",
            b.f("Relu", List.of(b.f("BiasAdd", List.of(b.conv(x, 3, 3, 3, 5, 1, "SAME", 1), b.weights(5))))))),
        new Case("conv SAME stride 2 odd input (asymmetric pads)", s(-1, 9, 10, 4), (b, x) -> outs("y",
            b.f("Conv2D", List.of(x, b.weights(3, 2, 4, 6)), "strides", new long[] {1, 2, 2, 1}, "padding", "SAME"))),
        new Case("conv VALID strides 2x3 kernel 5x3", s(-1, 10, 9, 2), (b, x) -> outs("y",
            b.f("Conv2D", List.of(x, b.weights(5, 3, 2, 4)), "strides", new long[] {1, 2, 3, 1}, "padding", "VALID"))),
        new Case("conv SAME dilation 2", s(-1, 11, 8, 3), (b, x) -> outs("y", b.conv(x, 3, 3, 3, 4, 1, "SAME", 2))),
        new Case("conv VALID dilation 2", s(-1, 11, 8, 3), (b, x) -> outs("y", b.conv(x, 3, 3, 3, 4, 1, "VALID", 2))),
        new Case("conv EXPLICIT padding", s(-1, 7, 6, 2), (b, x) -> outs("y",
            b.f("Conv2D", List.of(x, b.weights(3, 3, 2, 3)), "strides", new long[] {1, 1, 2, 1}, "padding", "EXPLICIT",
                "explicit_paddings", new long[] {0, 0, 1, 2, 0, 1, 0, 0}))),
        new Case("grouped conv (3 groups)", s(-1, 8, 7, 6), (b, x) -> outs("y",
            b.f("Conv2D", List.of(x, b.weights(3, 3, 2, 9)), "strides", new long[] {1, 1, 1, 1}, "padding", "SAME"))),
        new Case("depthwise multiplier 2 stride 2 SAME + BiasAdd", s(-1, 9, 9, 4), (b, x) -> outs("y",
            b.f("BiasAdd", List.of(b.f("DepthwiseConv2dNative", List.of(x, b.weights(3, 3, 4, 2)),
                "strides", new long[] {1, 2, 2, 1}, "padding", "SAME"), b.weights(8))))),
        new Case("depthwise dilated VALID", s(-1, 10, 10, 3), (b, x) -> outs("y",
            b.f("DepthwiseConv2dNative", List.of(x, b.weights(3, 3, 3, 1)), "strides", new long[] {1, 1, 1, 1},
                "padding", "VALID", "dilations", new long[] {1, 2, 2, 1}))),
        new Case("conv + FusedBatchNormV3 + Relu6 (folded)", s(-1, 8, 8, 3), (b, x) -> outs("y",
            b.f("Relu6", List.of(b.bn(b.conv(x, 3, 3, 3, 4, 1, "SAME", 1), 4))))),
        new Case("conv + BiasAdd + FusedBatchNorm + Add const (folded chain)", s(-1, 6, 6, 2), (b, x) -> outs("y",
            b.f("AddV2", List.of(b.f("FusedBatchNorm", List.of(b.f("BiasAdd", List.of(b.conv(x, 1, 1, 2, 3, 1, "VALID", 1),
                b.weights(3))), b.positive(3), b.weights(3), b.weights(3), b.positive(3)), "epsilon", 1e-3f,
                "is_training", false), b.weights(3))))),
        new Case("standalone FusedBatchNormV2 on an NCHW activation", s(-1, 4, 4, 3), (b, x) -> outs("y",
            b.f("FusedBatchNormV2", List.of(b.f("Relu", List.of(b.conv(x, 1, 1, 3, 3, 1, "VALID", 1))), b.positive(3),
                b.weights(3), b.weights(3), b.positive(3)), "epsilon", 1e-3f, "is_training", false))),
        new Case("standalone FusedBatchNormV3 and BiasAdd", s(-1, 5, 7, 3), (b, x) -> outs(
            "bn", b.bn(x, 3), "bias", b.f("BiasAdd", List.of(x, b.weights(3))))),
        new Case("BiasAdd on a matrix", s(-1, 7), (b, x) -> outs("y", b.f("BiasAdd", List.of(x, b.weights(7))))),
        new Case("MaxPool SAME 3x3 stride 2 and VALID", s(-1, 9, 10, 3), (b, x) -> outs(
            "same", b.pool("MaxPool", x, 3, 2, "SAME"), "valid", b.pool("MaxPool", x, 2, 2, "VALID"))),
        new Case("AvgPool SAME (pads excluded) and VALID", s(-1, 9, 10, 3), (b, x) -> outs(
            "same", b.pool("AvgPool", x, 3, 2, "SAME"), "valid", b.pool("AvgPool", x, 3, 1, "VALID"))),
        new Case("reductions over H,W / C / all, keep_dims both", s(-1, 5, 6, 4), (b, x) -> {
          Operand<TFloat32> h = b.conv(x, 1, 1, 4, 4, 1, "VALID", 1); // NCHW inside
          return outs(
              "mean_hw", b.f("Mean", List.of(h, b.tf.constant(new int[] {1, 2})), "keep_dims", false),
              "mean_hw_keep", b.f("Mean", List.of(h, b.tf.constant(new int[] {1, 2})), "keep_dims", true),
              "sum_c", b.f("Sum", List.of(h, b.tf.constant(new int[] {-1})), "keep_dims", false),
              "max_c_keep", b.f("Max", List.of(h, b.tf.constant(new int[] {3})), "keep_dims", true),
              "min_w", b.f("Min", List.of(x, b.tf.constant(new int[] {2})), "keep_dims", false),
              "prod_all", b.f("Prod", List.of(b.f("Sigmoid", List.of(h)), b.tf.constant(new int[] {1, 2, 3})),
                  "keep_dims", false));
        }),
        new Case("Reshape/Squeeze/ExpandDims after NCHW conv", s(-1, 4, 3, 2), (b, x) -> {
          Operand<TFloat32> h = b.conv(x, 3, 3, 2, 5, 1, "SAME", 1);
          Operand<TFloat32> pooled = b.f("Mean", List.of(h, b.tf.constant(new int[] {1, 2})), "keep_dims", true);
          return outs(
              "flat", b.f("Reshape", List.of(h, b.tf.constant(new int[] {-1, 60}))),
              "squeezed", b.f("Squeeze", List.of(pooled), "squeeze_dims", new long[] {1, 2}),
              "expanded", b.f("ExpandDims", List.of(b.f("Reshape", List.of(h, b.tf.constant(new int[] {-1, 12, 5}))),
                  b.tf.constant(new int[] {-1}))));
        }),
        new Case("MatMul dense + bias, transposed weights, activation x activation", s(-1, 6), (b, x) -> outs(
            "dense", b.f("AddV2", List.of(b.f("MatMul", List.of(x, b.weights(6, 4))), b.weights(4))),
            "dense_tb", b.f("MatMul", List.of(x, b.weights(3, 6)), "transpose_b", true),
            "gram", b.f("MatMul", List.of(x, x), "transpose_a", true))),
        new Case("unary activations and math", s(-1, 7, 5, 3), (b, x) -> {
          Operand<TFloat32> h = b.conv(x, 1, 1, 3, 3, 1, "VALID", 1); // NCHW inside
          Operand<TFloat32> pos = b.f("AddV2", List.of(b.f("Abs", List.of(h)), b.positive(1)));
          Map<String, Operand<TFloat32>> m = new LinkedHashMap<>();
          for (String op : List.of("Relu", "Relu6", "Sigmoid", "Tanh", "Elu", "Selu", "Softplus", "Neg", "Exp",
              "Square", "Floor", "Ceil", "Erf")) {
            m.put(op.toLowerCase(), b.f(op, List.of(h)));
          }
          for (String op : List.of("Log", "Sqrt", "Rsqrt", "Reciprocal", "Inv")) {
            m.put(op.toLowerCase(), b.f(op, List.of(pos)));
          }
          m.put("leaky", b.f("LeakyRelu", List.of(x), "alpha", 0.3f));
          return m;
        }),
        new Case("binary ops: activation with [C], scalar, [H,W,C] constants and mixed layouts", s(-1, 4, 5, 3), (b, x) -> {
          Operand<TFloat32> h = b.conv(x, 1, 1, 3, 3, 1, "VALID", 1); // NCHW inside
          Operand<TFloat32> pos = b.f("AddV2", List.of(b.f("Abs", List.of(h)), b.positive(1)));
          return outs(
              "add_c", b.f("Add", List.of(h, b.weights(3))),
              "sub_scalar", b.f("Sub", List.of(b.weights(), h)),
              "mul_hwc", b.f("Mul", List.of(h, b.weights(4, 5, 3))),
              "div", b.f("RealDiv", List.of(h, pos)),
              "max_mixed", b.f("Maximum", List.of(h, x)),
              "min_mixed", b.f("Minimum", List.of(x, h)),
              "pow", b.f("Pow", List.of(pos, b.weights(3))),
              "sqdiff", b.f("SquaredDifference", List.of(h, x)),
              "add_rank2", b.f("AddV2", List.of(h, b.weights(5, 3))));
        }),
        new Case("Softmax/LogSoftmax on matrix and on NCHW activation", s(-1, 3, 4, 5), (b, x) -> {
          Operand<TFloat32> h = b.conv(x, 1, 1, 5, 6, 1, "VALID", 1);
          return outs("softmax4d", b.f("Softmax", List.of(h)),
              "logsoftmax", b.f("LogSoftmax", List.of(b.f("Reshape", List.of(h, b.tf.constant(new int[] {-1, 6}))))));
        }),
        new Case("ConcatV2 channels (NCHW), width, and mixed with input", s(-1, 5, 4, 2), (b, x) -> {
          Operand<TFloat32> a = b.conv(x, 3, 3, 2, 3, 1, "SAME", 1);
          Operand<TFloat32> c = b.conv(x, 1, 1, 2, 4, 1, "SAME", 1);
          return outs("channels", b.tf.concat(List.of(a, c, x), b.tf.constant(-1)),
              "width", b.tf.concat(List.of(a, b.conv(x, 1, 1, 2, 3, 1, "SAME", 1)), b.tf.constant(2)));
        }),
        new Case("Pad, PadV2, MirrorPad around NCHW conv", s(-1, 5, 6, 2), (b, x) -> {
          Operand<TFloat32> h = b.conv(x, 1, 1, 2, 3, 1, "VALID", 1);
          return outs(
              "pad", b.f("Pad", List.of(h, b.tf.constant(new int[][] {{0, 0}, {1, 2}, {0, 3}, {0, 0}}))),
              "padv2", b.f("PadV2", List.of(x, b.tf.constant(new int[][] {{0, 0}, {2, 0}, {1, 1}, {1, 0}}),
                  b.tf.constant(1.5f))),
              "mirror", b.f("MirrorPad", List.of(h, b.tf.constant(new int[][] {{0, 0}, {1, 1}, {2, 1}, {0, 0}})),
                  "mode", "REFLECT"));
        }),
        new Case("Transpose to NCHW (free) and other permutations", s(-1, 4, 5, 3), (b, x) -> {
          Operand<TFloat32> h = b.conv(x, 1, 1, 3, 2, 1, "VALID", 1);
          return outs("nchw", b.f("Transpose", List.of(h, b.tf.constant(new int[] {0, 3, 1, 2}))),
              "swap", b.f("Transpose", List.of(x, b.tf.constant(new int[] {0, 2, 1, 3}))));
        }),
        new Case("Keras Flatten: Shape, StridedSlice (shrink), Pack, dynamic Reshape after NCHW conv", s(-1, 4, 3, 2),
            (b, x) -> {
              Operand<TFloat32> h = b.conv(x, 3, 3, 2, 5, 1, "SAME", 1);
              Operand<TInt32> shape = b.tf.shape(h);
              Operand<TInt32> batch = b.op("StridedSlice", List.of(shape, b.tf.constant(new int[] {0}),
                  b.tf.constant(new int[] {1}), b.tf.constant(new int[] {1})), "shrink_axis_mask", 1L);
              Operand<TInt32> target = b.tf.stack(List.of(batch, b.tf.constant(-1)));
              return outs("flat", b.f("Reshape", List.of(h, target)));
            }),
        new Case("StridedSlice masks and negative strides, Slice", s(-1, 6, 5), (b, x) -> outs(
            "strided", b.f("StridedSlice", List.of(x, b.tf.constant(new int[] {0, 1, 4}), b.tf.constant(new int[] {0, 6, 0}),
                b.tf.constant(new int[] {1, 2, -2})), "begin_mask", 1L, "end_mask", 5L),
            "shrink_last", b.f("StridedSlice", List.of(x, b.tf.constant(new int[] {0, -1, 0}), b.tf.constant(new int[] {0, 0, 0}),
                b.tf.constant(new int[] {1, 1, 1})), "begin_mask", 5L, "end_mask", 5L, "shrink_axis_mask", 2L),
            "slice", b.f("Slice", List.of(x, b.tf.constant(new int[] {0, 2, 1}), b.tf.constant(new int[] {-1, 3, -1}))))),
        new Case("Split, SplitV, Unpack, Pack, GatherV2, Tile, Fill, Cast", s(-1, 6, 4), (b, x) -> {
          List<org.tensorflow.Output<TFloat32>> halves = b.tf.split(b.tf.constant(1), x, 2L).output();
          List<org.tensorflow.Output<TFloat32>> parts = b.tf.splitV(x, b.tf.constant(new int[] {1, -1, 2}), b.tf.constant(-1), 3L).output();
          List<org.tensorflow.Output<TFloat32>> rows = b.tf.unstack(x, 6L, org.tensorflow.op.core.Unstack.axis(1L)).output();
          Operand<TFloat32> fill = b.f("Fill", List.of(b.tf.shape(x), b.tf.constant(0.5f)));
          Operand<TInt32> ints = b.tf.dtypes.cast(b.f("Mul", List.of(x, b.tf.constant(3f))), TInt32.class);
          return outs("half1", halves.get(1), "splitv", parts.get(1), "row4", rows.get(4),
              "pack", b.tf.stack(List.of(rows.get(0), rows.get(5)), org.tensorflow.op.core.Stack.axis(2L)),
              "gather", b.f("GatherV2", List.of(x, b.tf.constant(new int[] {3, 0, 3}), b.tf.constant(1))),
              "tile", b.f("Tile", List.of(x, b.tf.constant(new int[] {1, 2, 3}))),
              "fill", b.f("AddV2", List.of(fill, x)),
              "cast", b.tf.dtypes.cast(ints, TFloat32.class));
        }),
        new Case("BatchMatMulV2 with broadcast weights and adjoints", s(-1, 3, 4), (b, x) -> outs(
            "weights", b.f("BatchMatMulV2", List.of(x, b.weights(4, 5))),
            "self", b.f("BatchMatMulV2", List.of(x, x), "adj_y", true),
            "adj", b.f("BatchMatMul", List.of(x, x), "adj_x", true))),
        new Case("ResizeBilinear / ResizeNearestNeighbor, all coordinate rules", s(-1, 5, 7, 2), (b, x) -> {
          Map<String, Operand<TFloat32>> m = new LinkedHashMap<>();
          for (String op : List.of("ResizeBilinear", "ResizeNearestNeighbor")) {
            m.put(op + "_up", b.f(op, List.of(x, b.tf.constant(new int[] {9, 12}))));
            m.put(op + "_align", b.f(op, List.of(x, b.tf.constant(new int[] {9, 12})), "align_corners", true));
            m.put(op + "_half", b.f(op, List.of(x, b.tf.constant(new int[] {3, 11})), "half_pixel_centers", true));
          }
          return m;
        }),
        new Case("Conv2DBackpropInput SAME stride 2 and VALID", s(-1, 4, 5, 3), (b, x) -> outs(
            "same", b.f("Conv2DBackpropInput", List.of(b.tf.constant(new int[] {3, 8, 9, 6}), b.weights(3, 3, 6, 3), x),
                "strides", new long[] {1, 2, 2, 1}, "padding", "SAME"),
            "valid", b.f("Conv2DBackpropInput", List.of(b.tf.constant(new int[] {3, 9, 11, 4}), b.weights(3, 3, 4, 3), x),
                "strides", new long[] {1, 2, 2, 1}, "padding", "VALID"))),
        new Case("Einsum: batched matmul, transpose-contract with weights", s(-1, 3, 4), (b, x) -> outs(
            "bmm", b.tf.linalg.einsum(List.of(x, x), "bij,bkj->bik"),
            "weights", b.tf.linalg.einsum(List.of(x, b.weights(4, 5)), "bij,jk->bik"))),
        new Case("Identity, StopGradient, Snapshot", s(-1, 3), (b, x) -> outs(
            "y", b.f("Snapshot", List.of(b.f("StopGradient", List.of(b.f("Identity", List.of(b.f("Tanh", List.of(x)))))))))),
        new Case("comparisons, logic, Select/SelectV2, IsNan/IsFinite", s(-1, 6), (b, x) -> {
          Operand<TBool> low = b.op("Less", List.of(x, b.tf.constant(0.5f)));
          Operand<TBool> high = b.op("Greater", List.of(x, b.weights(6)));
          Operand<TFloat32> rowSum = b.f("Sum", List.of(x, b.tf.constant(new int[] {1})));
          Map<String, Operand<TFloat32>> m = new LinkedHashMap<>();
          for (String op : List.of("LessEqual", "GreaterEqual", "Equal", "NotEqual")) {
            m.put(op.toLowerCase(), b.tf.dtypes.cast(b.op(op, List.of(x, b.f("Relu", List.of(x)))), TFloat32.class));
          }
          m.put("and_or_not", b.tf.dtypes.cast(b.op("LogicalOr", List.of(b.op("LogicalAnd", List.of(low, high)),
              b.op("LogicalNot", List.of(high)))), TFloat32.class));
          m.put("select_v2", b.f("SelectV2", List.of(low, x, b.f("Neg", List.of(x)))));
          m.put("select_rows", b.f("Select", List.of(b.op("Less", List.of(rowSum, b.tf.constant(0f))), x,
              b.f("Square", List.of(x)))));
          m.put("isnan", b.tf.dtypes.cast(b.op("IsNan", List.of(b.f("Sqrt", List.of(x)))), TFloat32.class));
          m.put("isfinite", b.tf.dtypes.cast(b.op("IsFinite", List.of(b.f("Log", List.of(x)))), TFloat32.class));
          return m;
        }),
        new Case("ZerosLike, OnesLike of NCHW and matrix, AddN", s(-1, 4, 5, 3), (b, x) -> {
          Operand<TFloat32> h = b.conv(x, 1, 1, 3, 3, 1, "VALID", 1); // NCHW inside
          return outs("zeros", b.f("AddV2", List.of(b.f("ZerosLike", List.of(h)), h)),
              "ones", b.f("Mul", List.of(b.f("OnesLike", List.of(h)), x)),
              "addn", b.tf.math.addN(List.of(h, x, b.f("Tanh", List.of(h)))));
        }),
        new Case("Keras LayerNormalization (training-mode FusedBatchNormV3) and batch statistics", s(-1, 5, 8),
            (b, x) -> {
              // Keras: [B, T, C] -> [1, B*T, C, 1] NCHW, scale/offset Fill(B*T), reshape back, gamma and beta.
              Operand<TFloat32> rows = b.f("Reshape", List.of(x, b.tf.constant(new int[] {1, -1, 8, 1})));
              Operand<TInt32> count = b.op("StridedSlice", List.of(b.tf.shape(rows), b.tf.constant(new int[] {1}),
                  b.tf.constant(new int[] {2}), b.tf.constant(new int[] {1})));
              Operand<TFloat32> ones = b.f("Fill", List.of(count, b.tf.constant(1f)));
              Operand<TFloat32> zeros = b.f("Fill", List.of(count, b.tf.constant(0f)));
              Operand<TFloat32> empty = b.tf.constant(org.tensorflow.ndarray.Shape.of(0),
                  org.tensorflow.ndarray.buffer.DataBuffers.of(new float[0]));
              Operand<TFloat32> norm = b.f("FusedBatchNormV3", List.of(rows, ones, zeros, empty, empty),
                  "epsilon", 1e-3f, "is_training", true, "data_format", "NCHW");
              Operand<TFloat32> ln = b.f("AddV2", List.of(b.f("Mul", List.of(
                  b.f("Reshape", List.of(norm, b.tf.shape(x))), b.positive(8))), b.weights(8)));
              Operand<TFloat32> image = b.f("Reshape", List.of(x, b.tf.constant(new int[] {-1, 5, 4, 2})));
              return outs("layer_norm", ln, "batch_stats", b.f("FusedBatchNormV3", List.of(image, b.positive(2),
                  b.weights(2), empty, empty), "epsilon", 1e-3f, "is_training", true, "data_format", "NHWC"));
            }),
        new Case("FakeQuant Vars asymmetric and narrow, Args, PerChannel", s(-1, 6), (b, x) -> outs(
            "vars", b.f("FakeQuantWithMinMaxVars", List.of(x, b.tf.constant(-1.5f), b.tf.constant(2f))),
            "narrow", b.f("FakeQuantWithMinMaxVars", List.of(x, b.tf.constant(-1f), b.tf.constant(1f)),
                "narrow_range", true),
            "args", b.f("FakeQuantWithMinMaxArgs", List.of(x), "min", -0.8f, "max", 0.9f, "num_bits", 7L),
            "per_channel", b.f("FakeQuantWithMinMaxVarsPerChannel", List.of(x,
                b.tf.constant(new float[] {-1, -2, -0.5f, -1, -3, -1}), b.tf.constant(new float[] {1, 2, 0.5f, 2, 1, 1}))))),
        new Case("dilated convolutions as SpaceToBatchND, VALID conv, BatchToSpaceND", s(-1, 10, 10, 3), (b, x) -> {
          Operand<TFloat32> s2b = b.f("SpaceToBatchND", List.of(x, b.tf.constant(new int[] {2, 2}),
              b.tf.constant(new int[][] {{2, 2}, {2, 2}})));
          Operand<TFloat32> dw = b.f("DepthwiseConv2dNative", List.of(s2b, b.weights(3, 3, 3, 1)),
              "strides", new long[] {1, 1, 1, 1}, "padding", "VALID");
          Operand<TFloat32> s2b2 = b.f("SpaceToBatchND", List.of(x, b.tf.constant(new int[] {2, 2}),
              b.tf.constant(new int[][] {{2, 4}, {2, 4}})));
          Operand<TFloat32> conv = b.f("Conv2D", List.of(s2b2, b.weights(3, 3, 3, 4)), "strides",
              new long[] {1, 1, 1, 1}, "padding", "VALID");
          return outs(
              "depthwise", b.f("BatchToSpaceND", List.of(dw, b.tf.constant(new int[] {2, 2}),
                  b.tf.constant(new int[][] {{0, 0}, {0, 0}}))),
              "conv", b.f("BiasAdd", List.of(b.f("BatchToSpaceND", List.of(conv, b.tf.constant(new int[] {2, 2}),
                  b.tf.constant(new int[][] {{0, 2}, {0, 2}}))), b.weights(4))));
        })
    );
    return cases.stream().map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void convertsExactly(Case c) {
    FrozenGraph g = ConversionHarness.graph(tmp.resolve("model"), c.shape(), (tf, x) -> c.body().apply(new TfBuilder(tf, 7), x));
    ConvertedSegment converted = ConversionHarness.convert(g, ConversionOptions.fp32());
    Map<String, OutputComparison> cmp = ConversionHarness.compare(g, converted,
        ConversionHarness.randomInputs(converted, 3, 11));
    for (OutputComparison o : cmp.values()) {
      assertTrue(o.relativeRmsError() < FP32_TOLERANCE, () -> c.name() + ": " + o);
    }
    synchronized (COVERED) {
      COVERED.addAll(g.opHistogram().keySet());
    }
  }

  @Test
  void zeroPadsFoldIntoConvAndIntoMaxPoolOverRelu() {
    FrozenGraph g = ConversionHarness.graph(tmp.resolve("pads"), s(-1, 9, 8, 3), (tf, x) -> {
      TfBuilder b = new TfBuilder(tf, 9);
      Operand<TInt32> hw = b.tf.constant(new int[][] {{0, 0}, {3, 2}, {1, 3}, {0, 0}});
      Operand<TFloat32> conv = b.f("Conv2D", List.of(b.f("Pad", List.of(x, hw)), b.weights(3, 3, 3, 4)),
          "strides", new long[] {1, 2, 2, 1}, "padding", "SAME");
      Operand<TInt32> one = b.tf.constant(new int[][] {{0, 0}, {1, 1}, {1, 0}, {0, 0}});
      Operand<TFloat32> pooled = b.pool("MaxPool", b.f("Pad", List.of(b.f("Relu", List.of(conv)), one)), 3, 2, "VALID");
      // Zeros can win a max over a tensor that may be negative: this Pad must stay.
      Operand<TFloat32> kept = b.pool("MaxPool", b.f("Pad", List.of(conv, one)), 3, 2, "VALID");
      return outs("pooled", pooled, "kept", kept);
    });
    ConvertedSegment c = ConversionHarness.convert(g, ConversionOptions.fp32());
    assertEquals(1, c.report().onnxOps().get("Pad"), c.report().onnxOps()::toString);
    assertEquals(2, c.report().folded().stream().filter(f -> f.startsWith("Pad")).count(), c.report().folded()::toString);
    Map<String, OutputComparison> cmp = ConversionHarness.compare(g, c, ConversionHarness.randomInputs(c, 3, 13));
    assertTrue(ConversionHarness.worstRelativeError(cmp) < FP32_TOLERANCE, cmp::toString);
  }

  @Test
  void dynamicSpatialDimsUseSameUpperAndRunAtAnySize() {
    FrozenGraph g = ConversionHarness.graph(tmp.resolve("fcn"), s(-1, -1, -1, 3), (tf, x) -> {
      TfBuilder b = new TfBuilder(tf, 5);
      Operand<TFloat32> h = b.f("Relu", List.of(b.conv(x, 3, 3, 3, 4, 2, "SAME", 1)));
      return outs("y", b.pool("MaxPool", h, 3, 2, "SAME"));
    });
    ConvertedSegment c = ConversionHarness.convert(g, ConversionOptions.fp32());
    for (long[] shape : new long[][] {{2, 7, 9, 3}, {1, 12, 5, 3}}) {
      float[] v = io.trtfleet.testing.TestModels.randomInput(shape[1], (int) io.trtfleet.graph.HostTensor.elementCount(shape));
      Map<String, OutputComparison> cmp = ConversionHarness.compare(g, c,
          Map.of("x:0", io.trtfleet.graph.HostTensor.ofFloats(shape, v)));
      assertTrue(ConversionHarness.worstRelativeError(cmp) < FP32_TOLERANCE, cmp::toString);
    }
  }

  @Test
  void constantSubgraphsAreFoldedByTensorFlow() {
    // Keras' unfused batch norm: scale = gamma * rsqrt(var + eps); y = x * scale + (beta - mean * scale),
    // plus an op with no converter (Cumsum) that only reads constants.
    FrozenGraph g = ConversionHarness.graph(tmp.resolve("keras_bn"), s(-1, 6), (tf, input) -> {
      TfBuilder b = new TfBuilder(tf, 8);
      Operand<TFloat32> x = b.f("Tanh", List.of(input));
      Operand<TFloat32> scale = b.f("Mul", List.of(b.positive(6),
          b.f("Rsqrt", List.of(b.f("AddV2", List.of(b.positive(6), b.tf.constant(1e-3f)))))));
      Operand<TFloat32> shift = b.f("Sub", List.of(b.weights(6), b.f("Mul", List.of(b.weights(6), scale))));
      Operand<TFloat32> cumsum = b.f("Cumsum", List.of(b.weights(6), b.tf.constant(0)));
      return outs("y", b.f("AddV2", List.of(b.f("AddV2", List.of(b.f("Mul", List.of(x, scale)), shift)), cumsum)));
    });
    // Import folds them (as Grappler does before TF-TRT converts): only Consts are left of the subgraphs.
    assertEquals(Set.of("Placeholder", "Tanh", "Mul", "AddV2", "Const"), g.opHistogram().keySet(),
        g.opHistogram()::toString);
    ConvertedSegment c = ConversionHarness.convert(g, ConversionOptions.fp32());
    assertEquals(Map.of("Tanh", 1, "Mul", 1, "Add", 2, "Identity", 1), c.report().onnxOps());
    Map<String, OutputComparison> cmp = ConversionHarness.compare(g, c, ConversionHarness.randomInputs(c, 3, 2));
    assertTrue(ConversionHarness.worstRelativeError(cmp) < FP32_TOLERANCE, cmp::toString);
  }

  @Test
  void kerasUnfusedBatchNormAfterDenseAndConvFoldsIntoTheWeights() {
    FrozenGraph g = ConversionHarness.graph(tmp.resolve("keras_dense_bn"), s(-1, 5, 5, 2), (tf, x) -> {
      TfBuilder b = new TfBuilder(tf, 9);
      Operand<TFloat32> h = b.conv(x, 3, 3, 2, 4, 1, "SAME", 1);
      Operand<TFloat32> scale = b.f("Mul", List.of(b.positive(4),
          b.f("Rsqrt", List.of(b.f("AddV2", List.of(b.positive(4), b.tf.constant(1e-3f)))))));
      h = b.f("AddV2", List.of(b.f("Mul", List.of(h, scale)), b.f("Sub", List.of(b.weights(4),
          b.f("Mul", List.of(b.weights(4), scale))))));
      Operand<TFloat32> flat = b.f("Reshape", List.of(b.f("Relu", List.of(h)), b.tf.constant(new int[] {-1, 100})));
      Operand<TFloat32> d = b.f("Sub", List.of(b.f("Mul", List.of(b.f("MatMul", List.of(flat, b.weights(100, 3))),
          b.positive(3))), b.weights(3)));
      return outs("y", d);
    });
    ConvertedSegment c = ConversionHarness.convert(g, ConversionOptions.fp32());
    Map<String, Integer> ops = c.report().onnxOps();
    assertEquals(null, ops.get("Mul"), ops::toString);
    assertEquals(null, ops.get("Add"), ops::toString);
    assertEquals(null, ops.get("Sub"), ops::toString);
    Map<String, OutputComparison> cmp = ConversionHarness.compare(g, c, ConversionHarness.randomInputs(c, 3, 4));
    assertTrue(ConversionHarness.worstRelativeError(cmp) < FP32_TOLERANCE, cmp::toString);
  }

  @Test
  void unsupportedNodeFailsTheWholeSegmentWithTheReason() {
    FrozenGraph g = ConversionHarness.graph(tmp.resolve("cumsum"), s(-1, 4), (tf, x) -> {
      TfBuilder b = new TfBuilder(tf, 1);
      return outs("y", b.f("Relu", List.of(b.f("Cumsum", List.of(b.f("Tanh", List.of(x)), tf.constant(1))))));
    });
    ConversionResult r = OnnxSegmentConverter.convert(g, WholeGraphSegment.of(g), ConversionOptions.fp32());
    assertFalse(r.isConverted());
    assertTrue(r.fallbackReason().contains("Cumsum node 'Cumsum_1': no ONNX converter for op Cumsum"),
        r.fallbackReason());
  }

  @AfterAll
  static void everySupportedOpIsCovered() {
    if (COVERED.size() < 10) {
      return; // a single case was run on its own
    }
    Set<String> missing = new TreeSet<>(OpConverters.supportedOps());
    missing.removeAll(COVERED);
    // The importer removes identity chains, so frozen graphs never hold these (their converter is an alias).
    missing.removeAll(Set.of("Identity", "StopGradient", "IdentityN"));
    assertEquals(Set.of(), missing, "supported ops without a conversion test");
  }
}
