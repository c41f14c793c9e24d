package io.trtfleet.convert;

import io.trtfleet.testing.MinMaxTables;
import io.trtfleet.Precision;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.onnx.proto.Onnx.NodeProto;
import io.trtfleet.quantize.CalibrationTable;
import io.trtfleet.quantize.QuantizationTargets;
import io.trtfleet.segment.Segment;
import io.trtfleet.testing.ResNet50;
import io.trtfleet.verify.OutputComparison;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ResNet-50 converts as one segment, with one Transpose (at the input) and all batch norms folded. */
class ResNet50ConversionTest {

  @TempDir static Path tmp;
  static FrozenGraph graph;

  @BeforeAll
  static void export() {
    graph = SavedModelImporter.importModel(ImportOptions.of(ResNet50.export(tmp.resolve("r50")))).graph();
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
    Map<String, HostTensor> batch = ConversionHarness.randomInputs(
        OnnxSegmentConverter.convert(graph, whole, ConversionOptions.fp32()).orElseThrow(), 2, 51);
    CalibrationTable table = MinMaxTables.of(graph, whole, List.of(batch));
    ConvertedSegment c = OnnxSegmentConverter.convert(graph, whole,
        ConversionOptions.quantized(Precision.INT8, table)).orElseThrow();
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
}
