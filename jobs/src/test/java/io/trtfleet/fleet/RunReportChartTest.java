package io.trtfleet.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The run report's throughput chart: one group per model, never a mean over models; labels that fit. */
class RunReportChartTest {

  private static TargetResult row(String model, String pool, String backend, String precision, double throughput) {
    return new TargetResult(model, pool, backend, "h200.sm90", precision, "d", TargetResult.Status.BUILT, "", 1, 1, 100,
        Double.NaN, Double.NaN, throughput, 1, null, "");
  }

  @Test
  void oneGroupPerModelWithItsOwnFigures() {
    String svg = RunReportWriter.chart(List.of(row("gru", "gpu", "trt-10.6.0", "FP16", 6_164_610),
        row("transformer", "gpu", "trt-10.6.0", "FP16", 1_186_908), row("cnn", "cpu", "onnxruntime-1.23.2", "FP32", 5)));
    assertTrue(svg.contains(">gru</text>") && svg.contains(">transformer</text>"), svg);
    assertTrue(svg.contains(">6.16M</text>") && svg.contains(">1.19M</text>"), svg);
    assertFalse(svg.contains("3.68M"), "no mean of the two models");
    assertFalse(svg.contains(">cnn</text>"), "ONNX Runtime targets are not timed");
  }

  @Test
  void poolsAreNamedWhenThereAreSeveral() {
    String svg = RunReportWriter.chart(List.of(row("cnn", "h100", "trt-10.6.0", "INT8", 40_859),
        row("cnn", "h200", "trt-10.6.0", "INT8", 59_930)));
    assertTrue(svg.contains(">cnn / h100</text>") && svg.contains(">cnn / h200</text>"), svg);
    assertTrue(svg.contains(">40.9k</text>") && svg.contains(">59.9k</text>"), svg);
  }

  @Test
  void barsFollowThePrecisionOrder() {
    String svg = RunReportWriter.chart(List.of(row("cnn", "gpu", "trt-10.6.0", "INT8", 3), row("cnn", "gpu", "trt-10.6.0",
        "FP16", 2), row("cnn", "gpu", "trt-10.6.0", "FP32", 1)));
    assertTrue(svg.indexOf(">FP32</text>") < svg.indexOf(">FP16</text>")
        && svg.indexOf(">FP16</text>") < svg.indexOf(">INT8</text>"), svg);
  }

  @Test
  void compactLabels() {
    assertEquals("2.67M", RunReportWriter.compact(2_667_503));
    assertEquals("40.9k", RunReportWriter.compact(40_859));
    assertEquals("512", RunReportWriter.compact(512));
    assertEquals("0", RunReportWriter.compact(0));
  }
}
