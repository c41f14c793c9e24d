package io.trtfleet.segment;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.convert.ConversionOptions;
import io.trtfleet.convert.ConversionResult;
import io.trtfleet.convert.ConvertedSegment;
import io.trtfleet.convert.OnnxSegmentConverter;
import io.trtfleet.Precision;
import io.trtfleet.convert.WholeGraphSegment;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.onnx.OnnxChecker;
import io.trtfleet.onnx.OnnxRunner;
import io.trtfleet.reference.ReferenceRunner;
import io.trtfleet.testing.TestModels;
import io.trtfleet.verify.OutputComparison;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transformer encoder block (layer norm, attention with BatchMatMulV2/Einsum, GELU with Erf) converts
 * whole to ONNX and matches TensorFlow in FP32 and, loosely, in FP16. Lives here because EncoderModel is
 * package-private to the segmentation tests.
 */
class EncoderOnnxConversionTest {

  @TempDir Path tmp;

  @Test
  void encoderConvertsAndMatchesTensorFlow() throws Exception {
    for (boolean einsum : new boolean[] {false, true}) {
      FrozenGraph g = SavedModelImporter.importModel(ImportOptions.of(EncoderModel.export(tmp.resolve("e" + einsum),
          einsum))).graph();
      String input = g.signature().inputs().get(0).tensor().name();
      String output = g.signature().outputs().get(0).tensor().name();
      long[] shape = {3, EncoderModel.SEQ, EncoderModel.MODEL};
      HostTensor x = HostTensor.ofFloats(shape, TestModels.randomInput(3, (int) HostTensor.elementCount(shape)));
      HostTensor expected;
      try (ReferenceRunner tf = new ReferenceRunner(g, 1)) {
        expected = tf.run(Map.of(input, x), List.of(output)).get(output);
      }
      Map<Precision, Double> bound = Map.of(Precision.FP32, 1e-5, Precision.FP16, 5e-3);
      for (Map.Entry<Precision, Double> p : bound.entrySet()) {
        ConversionResult r = OnnxSegmentConverter.convert(g, WholeGraphSegment.of(g), ConversionOptions.of(p.getKey()));
        assertTrue(r.isConverted(), r::fallbackReason);
        ConvertedSegment c = r.converted();
        OnnxChecker.check(c.onnx());
        try (OnnxRunner ort = new OnnxRunner(c.onnx(), 1)) {
          OutputComparison cmp = OutputComparison.of(output, expected, ort.run(Map.of(input, x)).get(output));
          assertTrue(cmp.relativeRmsError() < p.getValue(), () -> (einsum ? "einsum " : "") + p.getKey() + ": " + cmp);
        }
      }
    }
  }
}
