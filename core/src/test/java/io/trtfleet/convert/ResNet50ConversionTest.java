package io.trtfleet.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.Precision;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.onnx.OnnxDataType;
import io.trtfleet.onnx.proto.Onnx.ModelProto;
import io.trtfleet.onnx.proto.Onnx.NodeProto;
import io.trtfleet.quantize.CalibrationTable;
import io.trtfleet.quantize.QuantizationTargets;
import io.trtfleet.segment.Segment;
import io.trtfleet.testing.MinMaxTables;
import io.trtfleet.testing.ResNet50;
import io.trtfleet.verify.OutputComparison;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ResNet-50 converts as one segment, with one Transpose (at the input) and all batch norms folded. */
class ResNet50ConversionTest {

  @TempDir static Path tmp;
  static FrozenGraph graph;
  /** Two random images, and the min-max ranges over them the INT8 conversions use. */
  static Map<String, HostTensor> batch;
  static CalibrationTable table;

  @BeforeAll
  static void export() {
    graph = SavedModelImporter.importModel(ImportOptions.of(ResNet50.export(tmp.resolve("r50")))).graph();
    Segment whole = WholeGraphSegment.of(graph);
    batch = ConversionHarness.randomInputs(OnnxSegmentConverter.convert(graph, whole, ConversionOptions.fp32()).orElseThrow(),
        2, 51);
    table = MinMaxTables.of(graph, whole, List.of(batch));
  }

  @Test
  void convertsFullyAndMatchesTensorFlow() {
    Segment whole = WholeGraphSegment.of(graph);
    ConversionResult r = OnnxSegmentConverter.convert(graph, whole, ConversionOptions.fp32());
    assertTrue(r.isConverted(), r::fallbackReason);
    ConvertedSegment c = r.converted();
    io.trtfleet.onnx.OnnxChecker.check(c.onnx());
    Map<String, Integer> ops = c.report().onnxOps();
    assertEquals(53, ops.get("Conv"));
    assertEquals(1, ops.get("Transpose"), "only the NHWC->NCHW transpose at the segment input: " + ops);
    assertEquals(null, ops.get("BatchNormalization"), "every batch norm folded into its convolution");
    assertEquals(16, ops.get("Add"));
    assertEquals(null, ops.get("Pad"), "ZeroPadding before conv1 and the max pool folded into their pads");
    assertEquals(1, ops.get("GlobalAveragePool"), "Keras' GlobalAveragePooling2D (Mean over H, W) as a pooling layer");
    assertEquals(null, ops.get("ReduceMean"));
    Map<String, OutputComparison> cmp = ConversionHarness.compare(graph, c, ConversionHarness.randomInputs(c, 2, 50));
    assertTrue(cmp.get("logits:0").relativeRmsError() < 1e-4, cmp::toString);
    System.out.println("ResNet-50 FP32 vs TensorFlow: " + cmp.values());
  }

  @Test
  void int8PlacesQdqLikeTensorRtAsks() {
    Segment whole = WholeGraphSegment.of(graph);
    ConvertedSegment c = int8(Set.of());
    io.trtfleet.onnx.OnnxChecker.check(c.onnx());
    OnnxModels m = new OnnxModels(c.onnx());
    assertEquals(Map.of(), c.report().unquantized());
    assertEquals(QuantizationTargets.of(graph, whole).size(), m.count("QuantizeLinear"));
    // The residual input is quantized; the other comes straight from the conv TensorRT fuses the add into.
    // In projection blocks both inputs are convs: the shortcut (the shallower branch) is the residual.
    int projections = 0;
    for (NodeProto add : m.nodes("Add")) {
      assertEquals(List.of("Conv", "DequantizeLinear"),
          java.util.stream.Stream.of(m.producerType(add.getInput(0)), m.producerType(add.getInput(1))).sorted().toList(),
          add::toString);
      String residual = m.producerType(add.getInput(0)).equals("DequantizeLinear") ? add.getInput(0) : add.getInput(1);
      assertTrue(residual.contains("_0_bn") || residual.contains("_out"), residual);
      projections += residual.contains("_0_bn") ? 1 : 0;
    }
    assertEquals(4, projections);
    // 53 convolutions and the classifier, a 1x1 convolution over the pool (MatMulConverter).
    assertEquals(54, m.nodes("Conv").stream().filter(n -> m.producerType(n.getInput(0)).equals("DequantizeLinear"))
        .count());
    Map<String, OutputComparison> cmp = ConversionHarness.compare(graph, c, batch);
    System.out.println("ResNet-50 INT8 (FP16 between layers, min-max on the same 2 images) vs TensorFlow FP32: "
        + cmp.values());
    assertTrue(cmp.get("logits:0").relativeRmsError() < 0.05, cmp::toString);
  }

  /**
   * conv1 -> ReLU -> max pool is FP32-typed in the FP16 INT8 model (FusedPoolTyping): its DequantizeLinears,
   * bias and the pool's QuantizeLinear read FP32, the pool's DequantizeLinear still hands FP16 on. With the
   * pool's output left in float there is no INT8 chain to fuse, and nothing is retyped.
   */
  @Test
  void int8TypesConvReluMaxPoolFp32ForTensorRtsFusedKernel() throws Exception {
    ConvertedSegment c = int8(Set.of());
    Indexed ix = Indexed.of(c.onnx());
    ModelProto m = ix.model();
    Map<String, Integer> types = ix.types();
    Map<String, NodeProto> byOutput = ix.byOutput();
    NodeProto pool = m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("MaxPool")).findFirst().orElseThrow();
    NodeProto conv1 = byOutput.get(byOutput.get(pool.getInput(0)).getInput(0));
    NodeProto poolQ = m.getGraph().getNodeList().stream().filter(n -> n.getInput(0).equals(pool.getOutput(0)))
        .findFirst().orElseThrow();
    NodeProto poolDq = m.getGraph().getNodeList().stream().filter(n -> n.getInput(0).equals(poolQ.getOutput(0)))
        .findFirst().orElseThrow();
    assertEquals("Conv", conv1.getOpType());
    assertEquals(OnnxDataType.FLOAT, types.get(byOutput.get(conv1.getInput(0)).getInput(1)), "conv1's input scale");
    assertEquals(OnnxDataType.FLOAT, types.get(byOutput.get(conv1.getInput(1)).getInput(1)), "conv1's weight scales");
    assertEquals(OnnxDataType.FLOAT, types.get(conv1.getInput(2)), "conv1's bias");
    assertEquals(OnnxDataType.FLOAT, types.get(poolQ.getInput(1)), "the pool's QuantizeLinear scale");
    assertEquals(OnnxDataType.FLOAT16, types.get(poolDq.getInput(1)), "the pool's readers still get FP16");
    java.util.Set<String> read = new java.util.HashSet<>();
    m.getGraph().getNodeList().forEach(n -> read.addAll(n.getInputList()));
    assertTrue(read.containsAll(types.keySet()), "no initializer left unread (the FP16 originals went)");
    assertTrue(c.report().notes().stream().anyMatch(n -> n.contains("max pool typed FP32")), c.report()::toString);
    io.trtfleet.onnx.OnnxChecker.check(c.onnx());
    // ONNX Runtime runs the retyped model close to TensorFlow, as the whole INT8 model is required to be
    assertTrue(ConversionHarness.compare(graph, c, batch).get("logits:0").relativeRmsError() < 0.05);

    ConvertedSegment poolInFloat = int8(Set.of("MaxPool:0"));
    assertEquals(Set.of("avg_pool:0_scale_fp32", "fc1000/MatMul/kernel_scale_fp32", "fc1000/MatMul/bias_fp32"),
        ModelProto.parseFrom(poolInFloat.onnx()).getGraph().getInitializerList().stream().map(t -> t.getName())
            .filter(n -> n.endsWith("_fp32")).collect(java.util.stream.Collectors.toSet()),
        "nothing but the classifier retyped without the pool's Q/DQ");
  }

  /**
   * The classifier (a quantized 1x1 convolution whose result only leaves as FP32 logits and a Softmax over them)
   * is typed FP32 in the FP16 INT8 model: its DequantizeLinears and bias read FP32 and the output Casts became
   * Identities, so TensorRT's INT8 convolution writes the FP32 logits itself. With the pool's output left in
   * float the classifier is not quantized, and its Casts stay.
   */
  @Test
  void int8ClassifierWritesFp32OutputsItself() throws Exception {
    ConvertedSegment c = int8(Set.of());
    Indexed ix = Indexed.of(c.onnx());
    NodeProto fc = ix.model().getGraph().getNodeList().stream().filter(n -> n.getName().contains("fc1000")
        && n.getOpType().equals("Conv")).findFirst().orElseThrow();
    assertEquals(OnnxDataType.FLOAT, ix.types().get(ix.byOutput().get(fc.getInput(0)).getInput(1)), "the pool's dequantize scale");
    assertEquals(OnnxDataType.FLOAT, ix.types().get(ix.byOutput().get(fc.getInput(1)).getInput(1)), "the weight scales");
    assertEquals(OnnxDataType.FLOAT, ix.types().get(fc.getInput(2)), "the bias");
    assertEquals(List.of("Identity", "Identity"), List.of(ix.byOutput().get("logits:0_float").getOpType(),
        ix.byOutput().get("fc1000/BiasAdd:0_float").getOpType()), "the casts to the FP32 outputs have nothing left to do");
    assertTrue(c.report().notes().stream().anyMatch(n -> n.contains("writes the FP32 outputs itself")),
        c.report()::toString);
    io.trtfleet.onnx.OnnxChecker.check(c.onnx());
    Map<String, OutputComparison> cmp = ConversionHarness.compare(graph, c, batch);
    assertTrue(cmp.get("logits:0").relativeRmsError() < 0.05, cmp::toString);
    assertTrue(cmp.get("probabilities:0").relativeRmsError() < 0.05, cmp::toString);

    ModelProto poolInFloat = ModelProto.parseFrom(int8(Set.of("avg_pool:0")).onnx());
    assertEquals(2, poolInFloat.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Cast")
        && n.getOutput(0).endsWith(":0_float")).count(), "an FP16 classifier keeps its casts to the FP32 outputs");
  }

  /** A model with its initializers' types and each value's producer. */
  private record Indexed(ModelProto model, Map<String, Integer> types, Map<String, NodeProto> byOutput) {
    static Indexed of(byte[] onnx) throws java.io.IOException {
      ModelProto m = ModelProto.parseFrom(onnx);
      Map<String, Integer> types = new java.util.HashMap<>();
      m.getGraph().getInitializerList().forEach(t -> types.put(t.getName(), t.getDataType()));
      Map<String, NodeProto> byOutput = new java.util.HashMap<>();
      m.getGraph().getNodeList().forEach(n -> n.getOutputList().forEach(o -> byOutput.put(o, n)));
      return new Indexed(m, types, byOutput);
    }
  }

  /** INT8 with min-max ranges of {@link #batch}, {@code keepFloat} left in float. */
  private static ConvertedSegment int8(Set<String> keepFloat) {
    return OnnxSegmentConverter.convert(graph, WholeGraphSegment.of(graph), ConversionOptions.quantized(Precision.INT8, table)
        .keepingFloat(keepFloat)).orElseThrow();
  }
}
