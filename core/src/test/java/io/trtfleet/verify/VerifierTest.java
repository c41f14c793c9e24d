package io.trtfleet.verify;

import io.trtfleet.Precision;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.convert.ConversionOptions;
import io.trtfleet.convert.ConvertedSegment;
import io.trtfleet.convert.OnnxSegmentConverter;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.onnx.OnnxRunner;
import io.trtfleet.segment.Segment;
import io.trtfleet.segment.SegmentedGraph;
import io.trtfleet.segment.Segmenter;
import io.trtfleet.segment.SegmenterOptions;
import io.trtfleet.testing.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Segments in the middle of a graph are verified on the inputs TensorFlow computes for them. */
class VerifierTest {

  @TempDir Path tmp;

  /**
   * Top-1 agreement is judged on class scores only (what a Softmax writes or reads): a [batch, 3]
   * regression output gets none, so an FP32 gate cannot fail on the arg-max of a forecast; the
   * classifier's logits and probabilities keep it.
   */
  @Test
  void topOneAgreementOnlyForClassScores() {
    FrozenGraph regression = SavedModelImporter.importModel(ImportOptions.of(TestModels.regression(tmp.resolve("reg"))))
        .graph();
    FrozenGraph classifier = SavedModelImporter.importModel(ImportOptions.of(TestModels.mlp(tmp.resolve("mlp")))).graph();
    assertEquals(Map.of("forecast", false), classScores(regression));
    assertEquals(Map.of("logits", true, "probabilities", true), classScores(classifier));
  }

  /** Signature key -> whether the verifier judged its top-1 agreement. */
  private static Map<String, Boolean> classScores(FrozenGraph g) {
    Segment whole = io.trtfleet.convert.WholeGraphSegment.of(g);
    ConvertedSegment c = OnnxSegmentConverter.convert(g, whole, ConversionOptions.fp32()).orElseThrow();
    try (Verifier v = new Verifier(g, whole, new OnnxRunner(c.onnx()), 1)) {
      v.add(batch(g, 4, 3));
      return v.result().outputs().entrySet().stream()
          .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().isClassifier()));
    }
  }

  @Test
  void everySegmentOfASplitGraphMatchesTensorFlowOnItsOwnInputs() {
    FrozenGraph g = SavedModelImporter.importModel(ImportOptions.of(TestModels.cnn(tmp.resolve("cnn")))).graph();
    SegmentedGraph split = new Segmenter(SegmenterOptions.builder().denylist("MaxPool").minimumSegmentSize(1).build())
        .segment(g);
    Set<String> signatureInputs = g.signature().inputs().stream().map(a -> a.tensor().name()).collect(Collectors.toSet());
    assertTrue(split.segments().size() >= 2, split.segments()::toString);
    boolean sawInnerInput = false;
    for (Segment s : split.segments()) {
      sawInnerInput |= s.inputs().stream().map(TensorSpec::name).anyMatch(n -> !signatureInputs.contains(n));
      ConvertedSegment c = OnnxSegmentConverter.convert(g, s, ConversionOptions.fp32()).orElseThrow();
      try (Verifier v = new Verifier(g, s, new OnnxRunner(c.onnx()), 1)) {
        v.add(batch(g, 3, 1));
        v.add(batch(g, 5, 2));
        Verifier.Result r = v.result();
        assertEquals(8, r.samples());
        assertEquals(s.outputs().size(), r.outputs().size());
        for (OutputComparison o : r.outputs().values()) {
          assertTrue(o.relativeRmsError() < 1e-5, o::toString);
        }
        assertTrue(ValidationGates.defaults().gate(io.trtfleet.Precision.FP32).violations(r).isEmpty());
      }
    }
    assertTrue(sawInnerInput, "a segment fed by a TensorFlow op, not by the signature");
  }

  @Test
  void aGateReportsEveryViolationAndPassesWhatIsWithinBounds() {
    Map<String, OutputComparison> outs = Map.of("probabilities", new OutputComparison("probabilities", 0.2, 0.03, 0.985, 100));
    Verifier.Result r = new Verifier.Result(outs, 100, Map.of("probabilities", new double[] {0.91, 0.90}));
    assertEquals(List.of(), new AccuracyGate(0.05, 0.98, 0.011).violations(r));
    List<String> v = new AccuracyGate(0.01, 0.99, 0.005).violations(r);
    assertEquals(3, v.size(), v::toString);
    assertTrue(v.get(0).contains("relative RMS error 0.0300 > 0.0100") || v.get(0).contains("0.03"), v::toString);
    assertTrue(v.get(2).contains("drop 1.00 points"), v::toString);
    assertFalse(new AccuracyGate(1, 0, 1).violations(new Verifier.Result(Map.of(), 0, Map.of())).isEmpty(),
        "no samples is never a pass");
  }

  @Test
  void gatesFileOverridesDefaultsAndRejectsUnknownKeys() throws Exception {
    Path f = tmp.resolve("gates.json");
    java.nio.file.Files.writeString(f, "{\"int8\": {\"max_top1_drop\": 0.02}}");
    ValidationGates g = ValidationGates.read(f);
    assertEquals(0.02, g.gate(io.trtfleet.Precision.INT8).maxTop1Drop());
    assertEquals(ValidationGates.defaults().gate(io.trtfleet.Precision.FP16),
        g.gate(io.trtfleet.Precision.FP16));
    java.nio.file.Files.writeString(f, "{\"FP16\": {\"max_rel_rms\": 0.02}}");
    var e = org.junit.jupiter.api.Assertions.assertThrows(io.trtfleet.TrtfleetException.class, () -> ValidationGates.read(f));
    assertTrue(e.getMessage().contains("unknown key FP16.max_rel_rms"), e::getMessage);
    ValidationGates shipped = ValidationGates.read(Path.of(System.getProperty("trtfleet.root", ".."), "conf",
        "validation-gates.json"));
    assertEquals(ValidationGates.defaults(), shipped, "conf/validation-gates.json states the defaults");
  }

  private static Map<String, HostTensor> inputs(FrozenGraph g, int rows, long seed) {
    long[] shape = g.signature().inputs().get(0).tensor().shape().clone();
    shape[0] = rows;
    return Map.of(g.signature().inputs().get(0).key(),
        HostTensor.ofFloats(shape, TestModels.randomInput(seed, (int) HostTensor.elementCount(shape))));
  }

  private static Verifier.Batch batch(FrozenGraph g, int rows, long seed) {
    return new Verifier.Batch(inputs(g, rows, seed), null);
  }
}
