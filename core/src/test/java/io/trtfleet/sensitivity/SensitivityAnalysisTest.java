package io.trtfleet.sensitivity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.Precision;
import io.trtfleet.convert.WholeGraphSegment;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.quantize.CalibrationTable;
import io.trtfleet.segment.Segment;
import io.trtfleet.testing.MinMaxTables;
import io.trtfleet.testing.TestModels;
import io.trtfleet.verify.ValidationGates;
import io.trtfleet.verify.Verifier;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outlier MLP: one tensor whose range hides 62 of its 64 channels, two ordinary ones. */
class SensitivityAnalysisTest {

  @TempDir static Path tmp;
  static FrozenGraph graph;
  static Segment segment;
  static List<Verifier.Batch> batches;
  static CalibrationTable minMax;

  @BeforeAll
  static void model() {
    graph = SavedModelImporter.importModel(ImportOptions.of(TestModels.outlierMlp(tmp.resolve("m")))).graph();
    segment = WholeGraphSegment.of(graph);
    batches = new ArrayList<>();
    for (int b = 0; b < 3; b++) {
      int[] labels = new int[50];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = (i * 7 + b) % 10;
      }
      batches.add(new Verifier.Batch(Map.of("images", HostTensor.ofFloats(new long[] {50, 32},
          TestModels.randomInput(b, 50 * 32))), labels));
    }
    minMax = MinMaxTables.of(graph, segment, batches.stream().map(b -> Map.of("images:0", b.inputs().get("images")))
        .toList());
  }

  private static SensitivityReport analyze(Precision p, boolean bothWays) {
    return new SensitivityAnalysis(p, minMax, ValidationGates.defaults().gate(p), bothWays, VariantRunner.onnxRuntime(1))
        .run("outlier-mlp", graph, List.of(segment), batches, line -> { });
  }

  @Test
  void theOutlierTensorRanksFirstBothWays() {
    SensitivityReport r = analyze(Precision.INT8, true);
    assertEquals(150, r.samples());
    assertTrue(r.labelled());
    SegmentSensitivity s = r.segments().get(0);
    assertEquals(3, s.tensors().size());
    TensorSensitivity first = s.tensors().get(0);
    assertEquals(TestModels.OUTLIER_TENSOR, first.tensor());
    assertEquals(List.of("dense2/MatMul"), first.readers());
    // Quantized alone it costs what all three cost; left alone in float it costs almost nothing.
    assertTrue(first.onlyQuantized().relativeRmsError() > 0.5, first::toString);
    assertFalse(first.onlyQuantized().meetsGate());
    assertTrue(first.onlyFloat().relativeRmsError() < 0.05 && first.onlyFloat().meetsGate(), first::toString);
    assertTrue(s.allQuantized().relativeRmsError() > 0.5 && !s.allQuantized().meetsGate(), s::toString);
    assertTrue(s.noneQuantized().relativeRmsError() < 1e-3, s::toString);
    for (TensorSensitivity t : s.tensors().subList(1, 3)) {
      assertTrue(t.onlyQuantized().relativeRmsError() < 0.05, t::toString);
      assertTrue(t.onlyFloat().relativeRmsError() > 0.5, "the outlier is still quantized: " + t);
      assertTrue(t.onlyQuantized().top1Drop() != null && t.onlyQuantized().top1Agreement() != null);
    }
    assertEquals(s.tensors(), r.ranking());
    assertEquals(Map.of(), r.skipped());
  }

  @Test
  void oneWayMeasuresOnlyQuantizedAndFp8RanksTheSame() {
    SensitivityReport r = analyze(Precision.FP8, false);
    SegmentSensitivity s = r.segments().get(0);
    assertEquals(TestModels.OUTLIER_TENSOR, s.ranking().get(0));
    assertNull(s.tensors().get(0).onlyFloat());
    // FP8's exponent keeps the small channels that INT8's step rounds to zero.
    assertTrue(s.tensors().get(0).onlyQuantized().relativeRmsError() < 0.2, s::toString);
  }

  @Test
  void thePageIsWellFormedAndShowsEveryTensor() throws Exception {
    SensitivityReport r = analyze(Precision.INT8, true);
    String html = SensitivityPage.html(r);
    for (TensorSensitivity t : r.ranking()) {
      assertTrue(html.contains(">" + t.tensor() + "<"), t.tensor());
    }
    String svg = html.substring(html.indexOf("<svg"), html.indexOf("</svg>") + 6);
    DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    for (String color : List.of(SensitivityPage.QUANTIZED_COLOR, SensitivityPage.FLOAT_COLOR)) {
      assertEquals(3, java.util.regex.Pattern.compile("<rect [^>]*fill='" + color + "'>").matcher(svg).results().count(),
          "a bar per tensor in " + color);
    }
    assertTrue(svg.contains("gate 0.1"), "the gate's line");
  }
}
