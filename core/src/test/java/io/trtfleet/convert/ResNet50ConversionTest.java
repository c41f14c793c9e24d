package io.trtfleet.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.segment.Segment;
import io.trtfleet.testing.ResNet50;
import io.trtfleet.verify.OutputComparison;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ResNet-50 converts as one segment, with one Transpose (at the input) and all batch norms folded. */
class ResNet50ConversionTest {

  @TempDir Path tmp;

  @Test
  void convertsFullyAndMatchesTensorFlow() {
    FrozenGraph g = SavedModelImporter.importModel(ImportOptions.of(ResNet50.export(tmp.resolve("r50")))).graph();
    Segment whole = WholeGraphSegment.of(g);
    ConversionResult r = OnnxSegmentConverter.convert(g, whole, ConversionOptions.fp32());
    assertTrue(r.isConverted(), r::fallbackReason);
    ConvertedSegment c = r.converted();
    io.trtfleet.onnx.OnnxChecker.check(c.onnx());
    Map<String, Integer> ops = c.report().onnxOps();
    assertEquals(53, ops.get("Conv"));
    assertEquals(1, ops.get("Transpose"), "only the NHWC->NCHW transpose at the segment input: " + ops);
    assertEquals(null, ops.get("BatchNormalization"), "every batch norm folded into its convolution");
    assertEquals(16, ops.get("Add"));
    Map<String, OutputComparison> cmp = ConversionHarness.compare(g, c, ConversionHarness.randomInputs(c, 2, 50));
    assertTrue(cmp.get("logits:0").relativeRmsError() < 1e-4, cmp::toString);
    System.out.println("ResNet-50 FP32 vs TensorFlow: " + cmp.values());
  }
}
