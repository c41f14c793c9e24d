package io.trtfleet.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.segment.SegmentedGraph;
import io.trtfleet.segment.Segmenter;
import io.trtfleet.segment.SegmenterOptions;
import io.trtfleet.testing.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportsTest {

  @TempDir Path tmp;

  private ConversionReport mlp(SegmenterOptions options) {
    Path dir = TestModels.mlp(tmp.resolve("mlp"));
    SegmentedGraph s = new Segmenter(options).segment(SavedModelImporter.importModel(ImportOptions.of(dir)).graph());
    return ConversionReport.of("mlp", s);
  }

  /**
   * The MLP: 4 MatMul, 3 BiasAdd, 1 AddV2, Relu, Tanh, Sigmoid and 8 Consts (kernels, biases) in the
   * engine: 19 of 22 nodes (the images Placeholder, the logits Identity and the Softmax stay).
   */
  @Test
  void summaryCountsLikeTfTrt() {
    ConversionReport r = mlp(SegmenterOptions.defaults());
    String text = SummaryReport.text(r);
    assertTrue(text.contains("% of OPs Converted: 86.36% [19/22]\n"), text);
    assertTrue(text.contains("% of convertible OPs Converted: 100.00% [19/19]"), text);
    assertEquals(Map.of("AddV2", 1, "BiasAdd", 3, "Const", 8, "MatMul", 4, "Relu", 1, "Sigmoid", 1, "Tanh", 1),
        r.engines().get(0).opCounts());
    assertTrue(text.contains("\t- MatMul: 4x\n\t- Relu: 1x\n"), text);
    assertTrue(text.contains("[[-1, 784]]   [[-1, 10]]"), text);
  }

  @Test
  void nonConversionReportGroupsByOpAndReason() {
    ConversionReport r = mlp(SegmenterOptions.builder().denylist("MatMul").build());
    String csv = NonConversionReport.csv(r);
    assertTrue(csv.contains("MatMul,4,MatMul: in the op denylist,dense1/MatMul;dense2/MatMul;dense3/MatMul;"
        + "logits_dense/MatMul\n"), csv);
    ConversionReport.NotConverted matmul = r.notConverted().stream().filter(g -> g.opType().equals("MatMul"))
        .findFirst().orElseThrow();
    assertEquals(4, matmul.count());
    assertTrue(NonConversionReport.text(r).contains("- MatMul: 4x\n    - [4x] MatMul: in the op denylist:"
        + " dense1/MatMul, dense2/MatMul, dense3/MatMul, logits_dense/MatMul\n"), NonConversionReport.text(r));
  }

  @Test
  void jsonHasTotalsAndEngines() {
    Map<String, Object> json = ReportJson.toMap(mlp(SegmenterOptions.defaults()));
    @SuppressWarnings("unchecked")
    Map<String, Object> summary = (Map<String, Object>) json.get("summary");
    assertEquals(1, summary.get("engines"));
    assertEquals(86.36, summary.get("percent_converted"));
    assertEquals(List.of("serving_default"), List.of(json.get("signature")));
  }

  @Test
  void csvAndDotEscaping() {
    assertEquals("plain", NonConversionReport.field("plain"));
    assertEquals("\"a, b\"", NonConversionReport.field("a, b"));
    assertEquals("\"say \"\"hi\"\"\"", NonConversionReport.field("say \"hi\""));
    assertEquals("\"a\\\"b\\\\c\\nd\"", GraphDot.quote("a\"b\\c\nd"));
  }
}
