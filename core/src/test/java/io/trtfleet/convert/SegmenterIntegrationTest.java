package io.trtfleet.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.onnx.OnnxRunner;
import io.trtfleet.reference.ReferenceRunner;
import io.trtfleet.segment.OpSupport;
import io.trtfleet.segment.Segment;
import io.trtfleet.segment.SegmentedGraph;
import io.trtfleet.segment.Segmenter;
import io.trtfleet.segment.SegmenterOptions;
import io.trtfleet.testing.TestModels;
import io.trtfleet.verify.OutputComparison;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The segmenter's segments convert, and its support table and the converter table agree. */
class SegmenterIntegrationTest {

  /** Ops the segmenter accepts that no converter handles yet (their segments fall back, with the reason). */
  static final Set<String> NOT_YET_CONVERTED = Set.of();

  @TempDir Path tmp;

  @Test
  void everyOpTheSegmenterAcceptsHasAConverter() {
    Set<String> missing = new TreeSet<>(OpSupport.get().supportedOps());
    missing.removeAll(OpConverters.supportedOps());
    missing.remove("Const"); // folded into initializers by its readers
    assertEquals(NOT_YET_CONVERTED, missing);
  }

  @Test
  void segmentsOfTheTestModelsConvertAndMatchTensorFlow() {
    for (Path dir : List.of(TestModels.cnn(tmp.resolve("cnn")), TestModels.residualBlock(tmp.resolve("res")),
        TestModels.mlp(tmp.resolve("mlp")), TestModels.depthwiseSeparable(tmp.resolve("dw")))) {
      FrozenGraph g = SavedModelImporter.importModel(ImportOptions.of(dir)).graph();
      SegmentedGraph segmented = new Segmenter(SegmenterOptions.defaults()).segment(g);
      assertFalse(segmented.segments().isEmpty());
      for (Segment s : segmented.segments()) {
        ConversionResult r = OnnxSegmentConverter.convert(g, s, ConversionOptions.fp32());
        assertTrue(r.isConverted(), () -> s.name() + ": " + r.fallbackReason());
        io.trtfleet.onnx.OnnxChecker.check(r.converted().onnx());
        compare(g, r.converted());
      }
    }
  }

  /** Feeds the segment's inputs as TensorFlow computes them from a random signature input. */
  private static void compare(FrozenGraph g, ConvertedSegment c) {
    var sigInput = g.signature().inputs().get(0).tensor();
    long[] shape = sigInput.shape();
    shape[0] = 2;
    HostTensor x = HostTensor.ofFloats(shape, TestModels.randomInput(9, (int) HostTensor.elementCount(shape)));
    List<String> names = new java.util.ArrayList<>(c.inputs().stream().map(TensorSpec::name).toList());
    names.addAll(c.outputs().stream().map(TensorSpec::name).toList());
    Map<String, HostTensor> tf;
    try (ReferenceRunner ref = new ReferenceRunner(g, 1)) {
      List<String> fetch = names.stream().filter(n -> !n.equals(sigInput.name())).toList();
      tf = new java.util.HashMap<>(ref.run(Map.of(sigInput.name(), x), fetch));
      tf.put(sigInput.name(), x);
    }
    Map<String, HostTensor> feeds = new java.util.LinkedHashMap<>();
    c.inputs().forEach(in -> feeds.put(in.name(), tf.get(in.name())));
    try (OnnxRunner ort = new OnnxRunner(c.onnx(), 1)) {
      Map<String, HostTensor> out = ort.run(feeds);
      for (TensorSpec o : c.outputs()) {
        OutputComparison cmp = OutputComparison.of(o.name(), tf.get(o.name()), out.get(o.name()));
        assertTrue(cmp.relativeRmsError() < 1e-5, cmp::toString);
      }
    }
  }
}
