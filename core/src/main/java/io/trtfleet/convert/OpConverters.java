package io.trtfleet.convert;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The converter table: TensorFlow op type to the converter that emits its ONNX nodes. The segmenter's
 * support table should agree with {@link #supportedOps()}.
 */
public final class OpConverters {

  private static final Map<String, OpConverter> TABLE;

  static {
    Map<String, OpConverter> t = new TreeMap<>();
    ConvConverter conv = new ConvConverter();
    t.put("Conv2D", conv);
    t.put("DepthwiseConv2dNative", conv);
    MatMulConverter matmul = new MatMulConverter();
    t.put("MatMul", matmul);
    t.put("BatchMatMul", matmul);
    t.put("BatchMatMulV2", matmul);
    ShapeOpsConverter shapes = new ShapeOpsConverter();
    ShapeOpsConverter.OPS.forEach(op -> t.put(op, shapes));
    ResizeConverter resize = new ResizeConverter();
    t.put("ResizeBilinear", resize);
    t.put("ResizeNearestNeighbor", resize);
    t.put("Conv2DBackpropInput", new ConvTransposeConverter());
    t.put("Einsum", new EinsumConverter());
    PoolConverter pool = new PoolConverter();
    t.put("MaxPool", pool);
    t.put("AvgPool", pool);
    UnaryConverter unary = new UnaryConverter();
    UnaryConverter.OPS.forEach(op -> t.put(op, unary));
    BinaryConverter binary = new BinaryConverter();
    BinaryConverter.OPS.keySet().forEach(op -> t.put(op, binary));
    ReduceConverter reduce = new ReduceConverter();
    ReduceConverter.OPS.keySet().forEach(op -> t.put(op, reduce));
    ReshapeConverter reshape = new ReshapeConverter();
    t.put("Reshape", reshape);
    t.put("Squeeze", reshape);
    t.put("ExpandDims", reshape);
    t.put("Transpose", new TransposeConverter());
    SoftmaxConverter softmax = new SoftmaxConverter();
    t.put("Softmax", softmax);
    t.put("LogSoftmax", softmax);
    t.put("ConcatV2", new ConcatConverter());
    PadConverter pad = new PadConverter();
    t.put("Pad", pad);
    t.put("PadV2", pad);
    t.put("MirrorPad", pad);
    t.put("BiasAdd", new BiasAddConverter());
    BatchNormConverter bn = new BatchNormConverter();
    t.put("FusedBatchNorm", bn);
    t.put("FusedBatchNormV2", bn);
    t.put("FusedBatchNormV3", bn);
    LogicConverter logic = new LogicConverter();
    LogicConverter.COMPARISONS.keySet().forEach(op -> t.put(op, logic));
    LogicConverter.UNARY.forEach(op -> t.put(op, logic));
    LogicConverter.SELECT.forEach(op -> t.put(op, logic));
    ElementwiseShapeConverter elementwise = new ElementwiseShapeConverter();
    ElementwiseShapeConverter.OPS.forEach(op -> t.put(op, elementwise));
    FakeQuantConverter fakeQuant = new FakeQuantConverter();
    t.put("FakeQuantWithMinMaxVars", fakeQuant);
    t.put("FakeQuantWithMinMaxArgs", fakeQuant);
    t.put("FakeQuantWithMinMaxVarsPerChannel", fakeQuant);
    DilatedConvConverter dilated = new DilatedConvConverter(conv);
    t.put("SpaceToBatchND", dilated);
    t.put("BatchToSpaceND", dilated);
    IdentityConverter identity = new IdentityConverter();
    t.put("Identity", identity);
    t.put("Snapshot", identity);
    t.put("StopGradient", identity);
    TABLE = Collections.unmodifiableMap(t);
  }

  private OpConverters() {}

  /** TensorFlow op types with a converter (Const is folded by its readers; Placeholder is a boundary). */
  public static java.util.Set<String> supportedOps() {
    return TABLE.keySet();
  }

  static Optional<OpConverter> forOp(String op) {
    return Optional.ofNullable(TABLE.get(op));
  }
}
