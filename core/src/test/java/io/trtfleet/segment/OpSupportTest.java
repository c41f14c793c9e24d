package io.trtfleet.segment;

import io.trtfleet.Precision;
import static io.trtfleet.segment.TestGraph.ints;
import static io.trtfleet.segment.TestGraph.str;
import static io.trtfleet.segment.TestGraph.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.TensorSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;

class OpSupportTest {

  private static Optional<String> check(FrozenGraph g, String node, Precision precision, boolean dynamic) {
    return OpSupport.get().check(g.node(node), new ValidationContext(g, precision, dynamic ? ShapeMode.DYNAMIC : ShapeMode.STATIC));
  }

  private static Optional<String> check(FrozenGraph g, String node) {
    return check(g, node, Precision.FP32, false);
  }

  private static TestGraph image() {
    return new TestGraph().input("x", -1, 8, 8, 3).constant("w", 3, 3, 3, 4);
  }

  private static Map<String, AttrValue> conv(String format, long[] strides, long[] dilations) {
    return Map.of("data_format", str(format), "padding", str("SAME"), "strides", ints(strides),
        "dilations", ints(dilations));
  }

  @Test
  void tableCoversTheOpsOfCnnsMlpsAndTransformerEncoders() {
    for (String op : List.of("Const", "Identity", "Conv2D", "DepthwiseConv2dNative", "Conv2DBackpropInput",
        "MatMul", "BatchMatMulV2", "BiasAdd", "Add", "AddV2", "Sub", "Mul", "RealDiv", "Maximum", "Minimum", "Pow",
        "Relu", "Relu6", "LeakyRelu", "Elu", "Selu", "Sigmoid", "Tanh", "Softplus", "Erf", "Exp", "Log", "Sqrt",
        "Rsqrt", "Square", "Abs", "Neg", "FusedBatchNorm", "FusedBatchNormV3", "MaxPool", "AvgPool", "Mean", "Sum",
        "Max", "Min", "Prod", "Reshape", "Squeeze", "ExpandDims", "Transpose", "ConcatV2", "Pack", "Unpack", "Split",
        "SplitV", "Slice", "StridedSlice", "Pad", "PadV2", "Softmax", "Cast", "Shape", "Fill", "Tile", "GatherV2",
        "ResizeBilinear", "ResizeNearestNeighbor", "Einsum")) {
      assertTrue(OpSupport.get().hasConverter(op), op);
    }
    assertTrue(!OpSupport.get().hasConverter("Placeholder"), "graph inputs feed engines, they are not in them");
  }

  @Test
  void unknownOpHasNoConverter() {
    FrozenGraph g = new TestGraph().input("x").op("t", "TopKV2", "x").build();
    assertEquals(Optional.of("no converter"), check(g, "t"));
  }

  @Test
  void conv2dChecksFormatStridesDilationsAndConstantFilter() {
    FrozenGraph ok = image().op("c", "Conv2D", conv("NHWC", new long[] {1, 1, 1, 1}, new long[] {1, 2, 2, 1}),
        "x", "w").build();
    assertEquals(Optional.empty(), check(ok, "c"));
    FrozenGraph nchw = new TestGraph().input("x", -1, 3, 8, 8).constant("w", 3, 3, 3, 4)
        .op("c", "Conv2D", conv("NCHW", new long[] {1, 1, 1, 1}, new long[] {2, 1, 1, 1}), "x", "w").build();
    assertEquals(Optional.of("Conv2D: data_format NCHW with dilations on the batch axis is not supported"),
        check(nchw, "c"));
    FrozenGraph channelStride = image()
        .op("c", "Conv2D", conv("NHWC", new long[] {1, 1, 1, 2}, new long[] {1, 1, 1, 1}), "x", "w").build();
    assertEquals(Optional.of("Conv2D: data_format NHWC with strides on the channel axis is not supported"),
        check(channelStride, "c"));
    FrozenGraph tensorFilter = image().input("f", -1, 3, 3, 4)
        .op("c", "Conv2D", conv("NHWC", new long[] {1, 1, 1, 1}, new long[] {1, 1, 1, 1}), "x", "f").build();
    assertEquals(Optional.of("Conv2D: filter (input 1) must be a constant"), check(tensorFilter, "c"));
    FrozenGraph rank3 = new TestGraph().input("x", -1, 8, 3).constant("w", 3, 3, 3, 4)
        .op("c", "Conv2D", conv("NHWC", new long[] {1, 1, 1, 1}, new long[] {1, 1, 1, 1}), "x", "w").build();
    assertEquals(Optional.of("Conv2D: input 0 must have rank 4, got 3"), check(rank3, "c"));
  }

  @Test
  void castRejectsFloat64() {
    FrozenGraph g = new TestGraph().input("x")
        .node(NodeDef.newBuilder().setName("c").setOp("Cast").addInput("x").putAttr("SrcT", type(DataType.DT_INT32))
            .putAttr("DstT", type(DataType.DT_DOUBLE)).build(), new TensorSpec("c:0", DataType.DT_DOUBLE, new long[] {-1, 8}))
        .build();
    assertEquals(Optional.of("Cast: int32 -> float64 not supported"), check(g, "c"));
  }

  @Test
  void int8NeedsConstantMatMulWeights() {
    FrozenGraph g = new TestGraph().input("a").input("b", 8, 8).op("m", "MatMul", "a", "b").build();
    assertEquals(Optional.empty(), check(g, "m", Precision.FP16, false));
    assertEquals(Optional.of("MatMul: INT8 needs constant weights, but both operands are computed at run time"),
        check(g, "m", Precision.INT8, false));
  }

  @Test
  void staticShapesProtectTheBatchDimension() {
    FrozenGraph g = new TestGraph().input("x", -1, 4, 6)
        .ints("perm", 1, 0, 2).op("t", "Transpose", "x", "perm")
        .ints("keep", 0, 2, 1).op("k", "Transpose", "x", "keep")
        .ints("axes", 0).op("s", "Sum", "x", "axes")
        .op("shape", "Shape", "x")
        .build();
    assertEquals(Optional.of("Transpose: transposing the batch dimension (perm [1,0,2]) is not supported with static"
        + " shapes"), check(g, "t"));
    assertEquals(Optional.empty(), check(g, "k"));
    assertEquals(Optional.empty(), check(g, "t", Precision.FP32, true));
    assertEquals(Optional.of("Sum: reducing on the batch dimension is not supported with static shapes"),
        check(g, "s"));
    assertEquals(Optional.of("Shape: needs dynamic shapes (the batch size is not a tensor with static shapes)"),
        check(g, "shape"));
  }

  @Test
  void reshapeMustKeepTheBatchWithStaticShapes() {
    FrozenGraph g = new TestGraph().input("x", -1, 3, 3, 16)
        .ints("flat", -1, 144).op("ok", "Reshape", "x", "flat")
        .ints("fold", -1, 72).op("bad", "Reshape", "x", "fold")
        .build();
    assertEquals(Optional.empty(), check(g, "ok"));
    assertEquals(Optional.of("Reshape: changing the batch dimension ([-1,3,3,16] -> [-1,72]) is not supported with"
        + " static shapes"), check(g, "bad"));
  }

  @Test
  void einsumTakesCommonFormsWithDynamicShapes() {
    FrozenGraph g = new TestGraph().input("q", -1, 4, 8).input("k", -1, 4, 8)
        .op("e", "Einsum", Map.of("equation", str("bid,bjd->bij"), "N", AttrValue.newBuilder().setI(2).build()),
            "q", "k")
        .op("d", "Einsum", Map.of("equation", str("bii,bjd->bij")), "q", "k")
        .op("l", "Einsum", Map.of("equation", str("...d,...d->...")), "q", "k")
        .build();
    assertEquals(Optional.of("Einsum: needs dynamic shapes"), check(g, "e"));
    assertEquals(Optional.empty(), check(g, "e", Precision.FP32, true));
    assertEquals(Optional.of("Einsum: equation 'bii,bjd->bij' repeats a label inside an operand (diagonal)"),
        check(g, "d", Precision.FP32, true));
    assertEquals(Optional.of("Einsum: equation '...d,...d->...' with an ellipsis is not supported"),
        check(g, "l", Precision.FP32, true));
  }

  @Test
  void batchNormMustBeInferenceWithConstantStatistics() {
    TestGraph g = image().constant("s", 3);
    g.op("bn", "FusedBatchNormV3", Map.of("is_training", AttrValue.newBuilder().setB(true).build()),
        "x", "s", "s", "s", "s");
    g.op("bn2", "FusedBatchNormV3", Map.of("is_training", AttrValue.newBuilder().setB(false).build()),
        "x", "s", "s", "s", "s");
    assertEquals(Optional.of("FusedBatchNormV3: is_training=true (batch statistics, as Keras LayerNormalization"
        + " computes) reduces over the batch dimension: needs dynamic shapes"), check(g.build(), "bn"));
    assertEquals(Optional.empty(), check(g.build(), "bn", Precision.FP32, true), "layer norm with dynamic shapes");
    assertEquals(Optional.empty(), check(g.build(), "bn2"));
  }

  @Test
  void unsupportedTensorDtypeIsRejected() {
    FrozenGraph g = new TestGraph()
        .node(NodeDef.newBuilder().setName("x").setOp("Placeholder").build(),
            new TensorSpec("x:0", DataType.DT_DOUBLE, new long[] {-1, 8}))
        .node(NodeDef.newBuilder().setName("r").setOp("Relu").addInput("x").build(),
            new TensorSpec("r:0", DataType.DT_DOUBLE, new long[] {-1, 8}))
        .build();
    assertEquals(Optional.of("Relu: input 0 dtype float64 is not supported by TensorRT (bool, float16, float32,"
        + " int32 only)"), check(g, "r"));
  }
}
