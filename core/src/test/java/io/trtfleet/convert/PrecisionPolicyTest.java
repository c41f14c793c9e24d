package io.trtfleet.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.Precision;
import io.trtfleet.TrtfleetException;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.onnx.OnnxDataType;
import io.trtfleet.onnx.OnnxRunner;
import io.trtfleet.onnx.proto.Onnx.NodeProto;
import io.trtfleet.onnx.proto.Onnx.TensorProto;
import io.trtfleet.quantize.CalibrationTable;
import io.trtfleet.segment.Segment;
import io.trtfleet.testing.MinMaxTables;
import io.trtfleet.testing.TestModels;
import io.trtfleet.verify.OutputComparison;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FP16 and INT8 policies: where the casts and Q/DQ nodes go, and how close the results stay. */
class PrecisionPolicyTest {

  @TempDir static Path tmp;
  static FrozenGraph residual;
  static FrozenGraph cnn;

  @BeforeAll
  static void models() {
    residual = SavedModelImporter.importModel(ImportOptions.of(TestModels.residualBlock(tmp.resolve("res")))).graph();
    cnn = SavedModelImporter.importModel(ImportOptions.of(TestModels.cnn(tmp.resolve("cnn")))).graph();
  }

  @Test
  void fp16KeepsSoftmaxAndNormalizationInFp32() {
    ConvertedSegment c = ConversionHarness.convert(residual, ConversionOptions.of(Precision.FP16));
    OnnxModels m = new OnnxModels(c.onnx());
    NodeProto softmax = m.nodes("Softmax").get(0);
    NodeProto cast = m.producer(softmax.getInput(0)).orElseThrow();
    assertEquals("Cast", cast.getOpType(), "Softmax reads a Cast");
    assertEquals(OnnxDataType.FLOAT, OnnxModels.intAttr(cast, "to", -1), "Softmax runs in FP32");
    // The global average pool (a Mean over H and W) is a pooling layer, in FP16 like TensorRT's own ResNet.
    NodeProto pool = m.nodes("GlobalAveragePool").get(0);
    assertTrue(m.producer(pool.getInput(0)).map(p -> !p.getOpType().equals("Cast")).orElse(true), "no Cast before the pool");
    for (NodeProto conv : m.nodes("Conv")) {
      assertEquals(OnnxDataType.FLOAT16, m.initializers.get(conv.getInput(1)).getDataType(), "half weights");
    }
    assertTrue(c.report().notes().stream().anyMatch(n -> n.startsWith("Softmax kept in FP32")), c.report().notes()::toString);
    // The boundary stays FP32 so callers (and TensorFlow around a segment) see no change.
    assertEquals(OnnxDataType.FLOAT, m.graph.getInput(0).getType().getTensorType().getElemType());
    m.graph.getOutputList().forEach(o -> assertEquals(OnnxDataType.FLOAT, o.getType().getTensorType().getElemType()));

    // An unfolded batch norm (normalization) is FP32 too.
    FrozenGraph bn = ConversionHarness.graph(tmp.resolve("bn"), new long[] {-1, 4, 4, 3}, (tf, x) -> {
      TfBuilder b = new TfBuilder(tf, 3);
      return Map.of("y", b.f("Relu", List.of(b.bn(b.f("Relu", List.of(x)), 3))));
    });
    OnnxModels bm = new OnnxModels(ConversionHarness.convert(bn, ConversionOptions.of(Precision.FP16)).onnx());
    NodeProto norm = bm.nodes("BatchNormalization").get(0);
    assertEquals(OnnxDataType.FLOAT, bm.initializers.get(norm.getInput(1)).getDataType());
  }

  @Test
  void fp16StaysCloseToFp32() {
    for (FrozenGraph g : List.of(residual, cnn)) {
      ConvertedSegment c = ConversionHarness.convert(g, ConversionOptions.of(Precision.FP16));
      Map<String, OutputComparison> cmp = ConversionHarness.compare(g, c, ConversionHarness.randomInputs(c, 8, 5));
      assertTrue(ConversionHarness.worstRelativeError(cmp) < 2e-3, cmp::toString);
    }
  }

  @Test
  void int8PutsQdqOnConvAndResidualInputsWithPerChannelWeights() {
    Segment seg = WholeGraphSegment.of(residual);
    CalibrationTable table = MinMaxTables.of(residual, seg, List.of(randomBatch(residual, 16, 1)));
    ConvertedSegment c = ConversionHarness.convert(residual, ConversionOptions.quantized(Precision.INT8, table));
    OnnxModels m = new OnnxModels(c.onnx());
    // Activations: the block input (read by conv_a and, as the residual, by the add: one shared Q/DQ),
    // conv_b's input, the global average pool's input and the dense layer's input. bn_b's output goes to
    // the add unquantized.
    assertEquals(4, m.count("QuantizeLinear"), m.graph.getNodeList().toString());
    assertEquals("DequantizeLinear", m.producerType(m.nodes("GlobalAveragePool").get(0).getInput(0)));
    // The dense layer over the pool is a 1x1 convolution of the pool's [N, C, 1, 1] output, Q/DQ'd there.
    String pooled = m.nodes("GlobalAveragePool").get(0).getOutput(0);
    NodeProto head = m.nodes("Conv").stream().filter(conv -> m.producer(conv.getInput(0))
        .flatMap(dq -> m.producer(dq.getInput(0))).map(q -> q.getInput(0).equals(pooled)).orElse(false))
        .findFirst().orElseThrow();
    for (NodeProto conv : m.nodes("Conv")) {
      // FP16 between layers; the head writes the FP32 logits itself (FloatOutputTyping)
      int floatType = conv.equals(head) ? OnnxDataType.FLOAT : OnnxDataType.FLOAT16;
      assertEquals("DequantizeLinear", m.producerType(conv.getInput(0)));
      NodeProto wdq = m.producer(conv.getInput(1)).orElseThrow();
      assertEquals("DequantizeLinear", wdq.getOpType());
      assertEquals(0, OnnxModels.intAttr(wdq, "axis", -1), "per-output-channel, axis 0 of OIHW");
      TensorProto w = m.initializers.get(wdq.getInput(0));
      assertEquals(OnnxDataType.INT8, w.getDataType());
      TensorProto scale = m.initializers.get(wdq.getInput(1));
      assertEquals(List.of(w.getDims(0)), scale.getDimsList(), "one scale per output channel");
      assertEquals(floatType, scale.getDataType(), "DQ produces FP16 between layers, FP32 into the head");
      assertEquals(floatType, m.initializers.get(conv.getInput(2)).getDataType(), "bias stays float");
    }
    NodeProto add = m.nodes("Add").get(0);
    assertEquals("DequantizeLinear", m.producerType(add.getInput(0)), "the residual input (the block input)");
    assertEquals("Conv", m.producerType(add.getInput(1)), "conv_b (bn_b folded) feeds the add it fuses with");
    assertEquals(Map.of(), c.report().unquantized());
    assertEquals(0, m.count("Gemm"));
    assertEquals(List.of(1L, 1L), m.initializers.get(m.producer(head.getInput(1)).orElseThrow().getInput(0))
        .getDimsList().subList(2, 4), "a 1x1 kernel");
    assertEquals(1, ConversionHarness.convert(residual, ConversionOptions.of(Precision.FP16)).report().onnxOps()
        .get("Gemm"), "unquantized, the dense layer stays a Gemm");

    Map<String, OutputComparison> cmp = ConversionHarness.compare(residual, c, randomBatch(residual, 16, 2));
    assertTrue(cmp.get("logits:0").relativeRmsError() < 0.05, cmp::toString);
  }

  @Test
  void int8WithFp32BetweenLayersIsCloserAndFp32Typed() {
    Segment seg = WholeGraphSegment.of(residual);
    CalibrationTable table = MinMaxTables.of(residual, seg, List.of(randomBatch(residual, 16, 1)));
    ConvertedSegment c = ConversionHarness.convert(residual, ConversionOptions.quantized(Precision.INT8_FP32, table));
    OnnxModels m = new OnnxModels(c.onnx());
    assertEquals(0, m.count("Cast"));
    Map<String, OutputComparison> cmp = ConversionHarness.compare(residual, c, randomBatch(residual, 16, 2));
    assertTrue(cmp.get("logits:0").relativeRmsError() < 0.05, cmp::toString);
  }

  @Test
  void fp8PutsE4m3QdqWhereInt8PutsItWithScalesFromTheSameCalibration() {
    Segment seg = WholeGraphSegment.of(residual);
    CalibrationTable table = MinMaxTables.of(residual, seg, List.of(randomBatch(residual, 16, 1)));
    ConvertedSegment int8 = ConversionHarness.convert(residual, ConversionOptions.quantized(Precision.INT8, table));
    ConvertedSegment fp8 = ConversionHarness.convert(residual, ConversionOptions.quantized(Precision.FP8, table));
    OnnxModels m = new OnnxModels(fp8.onnx());
    OnnxModels i = new OnnxModels(int8.onnx());
    assertEquals(i.count("QuantizeLinear"), m.count("QuantizeLinear"), "the same placement");
    assertEquals(i.count("DequantizeLinear"), m.count("DequantizeLinear"));
    assertEquals(int8.report().quantized(), fp8.report().quantized());
    assertEquals(4, fp8.report().quantized().size(), fp8.report().quantized()::toString);
    for (NodeProto q : m.nodes("QuantizeLinear")) {
      TensorProto zp = m.initializers.get(q.getInput(2));
      assertEquals(OnnxDataType.FLOAT8E4M3FN, zp.getDataType(), "the zero point's type makes the Q FP8");
      TensorProto scale = m.initializers.get(q.getInput(1));
      assertEquals(OnnxDataType.FLOAT16, scale.getDataType(), "DQ produces FP16 between layers");
      String tensor = q.getInput(1).replaceAll("_scale$", "");
      float amax = table.amax(tensor).orElseThrow();
      float fp8Scale = io.trtfleet.onnx.Half.toFloat(scale.getRawData().asReadOnlyByteBuffer()
          .order(java.nio.ByteOrder.LITTLE_ENDIAN).getShort());
      assertEquals(amax / 448, fp8Scale, amax / 448 * 1e-3, tensor + ": scale = amax / 448");
    }
    for (NodeProto conv : m.nodes("Conv")) {
      NodeProto wdq = m.producer(conv.getInput(1)).orElseThrow();
      TensorProto w = m.initializers.get(wdq.getInput(0));
      assertEquals(OnnxDataType.FLOAT8E4M3FN, w.getDataType(), "FP8 weights");
      assertEquals(List.of(w.getDims(0)), m.initializers.get(wdq.getInput(1)).getDimsList(), "per output channel");
      int largest = 0;
      for (byte b : w.getRawData().toByteArray()) {
        largest = Math.max(largest, b & 0x7f);
      }
      assertEquals(0x7e, largest, "each channel's largest weight is 448, the type's largest value");
    }
    // ONNX Runtime runs FP8 Q/DQ on the CPU: the model is proven against TensorFlow like INT8.
    Map<String, OutputComparison> cmp = ConversionHarness.compare(residual, fp8, randomBatch(residual, 16, 2));
    assertTrue(cmp.get("logits:0").relativeRmsError() < 0.08, cmp::toString);
    assertTrue(cmp.get("logits:0").relativeRmsError() > 1e-3, "quantization shows: " + cmp);
  }

  @Test
  void tensorsKeptInFloatReadNoQdqAndTheirLayersKeepFloatWeights() {
    Segment seg = WholeGraphSegment.of(cnn);
    CalibrationTable table = MinMaxTables.of(cnn, seg, List.of(randomBatch(cnn, 8, 1)));
    ConvertedSegment all = ConversionHarness.convert(cnn, ConversionOptions.quantized(Precision.INT8, table));
    assertEquals(3, all.report().quantized().size(), all.report().quantized()::toString);
    String conv2Input = all.report().quantized().get(1);
    ConvertedSegment mixed = ConversionHarness.convert(cnn, ConversionOptions.quantized(Precision.INT8, table)
        .keepingFloat(Set.of(conv2Input.replace(":0", ""))));
    assertEquals(List.of(all.report().quantized().get(0), all.report().quantized().get(2)), mixed.report().quantized());
    assertEquals(Map.of(), mixed.report().unquantized(), "kept by choice, not for want of a scale");
    OnnxModels m = new OnnxModels(mixed.onnx());
    assertEquals(2, m.count("QuantizeLinear"));
    NodeProto conv2 = m.nodes("Conv").get(1);
    assertEquals(OnnxDataType.FLOAT16, m.initializers.get(conv2.getInput(1)).getDataType(), "conv2 keeps FP16 weights");
    assertEquals("DequantizeLinear", m.producerType(m.nodes("Conv").get(0).getInput(1)), "conv1 stays INT8");
    Map<String, OutputComparison> mixedCmp = ConversionHarness.compare(cnn, mixed, randomBatch(cnn, 16, 2));
    Map<String, OutputComparison> allCmp = ConversionHarness.compare(cnn, all, randomBatch(cnn, 16, 2));
    assertTrue(mixedCmp.get("logits:0").relativeRmsError() < allCmp.get("logits:0").relativeRmsError(),
        mixedCmp + " vs " + allCmp);
    assertThrows(IllegalArgumentException.class, () -> ConversionOptions.of(Precision.FP16).keepingFloat(Set.of("x")));
  }

  @Test
  void tensorsWithoutScaleStayFloatAndAreReported() {
    Segment seg = WholeGraphSegment.of(cnn);
    CalibrationTable full = MinMaxTables.of(cnn, seg, List.of(randomBatch(cnn, 8, 1)));
    Map<String, Float> partial = new HashMap<>(full.scales());
    String dropped = partial.keySet().stream().filter(k -> k.startsWith("Reshape")).findFirst().orElseThrow();
    partial.remove(dropped);
    CalibrationTable table = new CalibrationTable(full.header(), partial);
    ConvertedSegment c = ConversionHarness.convert(cnn, ConversionOptions.quantized(Precision.INT8, table));
    assertEquals(Map.of(dropped, "logits_dense/MatMul"), c.report().unquantized());
    OnnxModels m = new OnnxModels(c.onnx());
    assertEquals(2, m.count("QuantizeLinear"), "the inputs of conv1 and conv2 are quantized, the dense layer's is not");
    assertFalse(c.report().summary().isEmpty());
  }

  @Test
  void batchDimensionIsSymbolic() {
    ConvertedSegment c = ConversionHarness.convert(cnn, ConversionOptions.fp32());
    OnnxModels m = new OnnxModels(c.onnx());
    assertEquals(OnnxSegmentConverter.BATCH_DIM, m.graph.getInput(0).getType().getTensorType().getShape()
        .getDim(0).getDimParam());
    try (OnnxRunner ort = new OnnxRunner(c.onnx(), 1)) {
      for (int batch : new int[] {1, 5}) {
        HostTensor out = ort.run(randomBatch(cnn, batch, batch)).get("probabilities:0");
        assertEquals(batch, out.shape()[0]);
      }
    }
  }

  @Test
  void profilesAreStoredWithTheSegment() {
    ConversionOptions options = ConversionOptions.fp32().withProfiles(ProfileStrategy.RANGE,
        List.of(Map.of("images:0", new long[] {1, 28, 28, 1}), Map.of("images:0", new long[] {64, 28, 28, 1})));
    ConvertedSegment c = OnnxSegmentConverter.convert(cnn, WholeGraphSegment.of(cnn), options).orElseThrow();
    assertEquals(1, c.profiles().size());
    assertEquals(64, c.profiles().get(0).inputs().get("images:0").max()[0]);
  }

  static Map<String, HostTensor> randomBatch(FrozenGraph g, int batch, long seed) {
    String input = g.signature().inputs().get(0).tensor().name();
    long[] shape = g.signature().inputs().get(0).tensor().shape();
    shape[0] = batch;
    float[] v = TestModels.randomInput(seed, (int) HostTensor.elementCount(shape));
    return Map.of(input, HostTensor.ofFloats(shape, v));
  }

  @Test
  void aTableThatNamesNoneOfTheTensorsIsRefused() {
    CalibrationTable other = CalibrationTable.fromAmax("TRT-100600-EntropyCalibration2", Map.of("other_model/x:0", 1f));
    TrtfleetException e = assertThrows(TrtfleetException.class,
        () -> ConversionHarness.convert(cnn, ConversionOptions.quantized(Precision.INT8, other)));
    assertTrue(e.getMessage().contains("another model") && e.getMessage().contains("other_model/x:0"), e.getMessage());
  }
}
