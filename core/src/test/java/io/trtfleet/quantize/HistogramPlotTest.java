package io.trtfleet.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class HistogramPlotTest {

  /** A long-tailed histogram of 2048 bins over [0, 4.2), thresholds of four algorithms. */
  private static TensorCalibration tensor(String name, float chosenAmax) {
    long[] counts = new long[2048];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = (long) (1_000_000 * Math.exp(-i / 150.0));
    }
    Map<String, Float> by = new LinkedHashMap<>();
    by.put("entropy", chosenAmax);
    by.put("minmax", 4.2f);
    by.put("percentile", 3.7f);
    by.put("mse", 3.8f);
    return new TensorCalibration(name, chosenAmax, chosenAmax / 127, 4.2 / 2048, counts, 1000, -4.2f, 4.2f, 0.5, 0.7,
        false, by);
  }

  private static Document parse(String svg) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
  }

  /** [left, right] of each text element, from its anchor and the plot's (generous) width estimate. */
  private static List<double[]> extents(Document d) {
    List<double[]> out = new ArrayList<>();
    NodeList texts = d.getElementsByTagName("text");
    for (int i = 0; i < texts.getLength(); i++) {
      Element t = (Element) texts.item(i);
      if (t.hasAttribute("transform")) {
        continue;  // the rotated y-axis title, checked by its position
      }
      double x = Double.parseDouble(t.getAttribute("x"));
      double w = HistogramPlot.textWidth(t.getTextContent());
      double left = switch (t.getAttribute("text-anchor")) {
        case "end" -> x - w;
        case "middle" -> x - w / 2;
        default -> x;
      };
      out.add(new double[] {left, left + w, Double.parseDouble(t.getAttribute("y"))});
    }
    return out;
  }

  @Test
  void everyLabelFitsAndTicksOnOneRowDoNotOverlap() throws Exception {
    for (float chosen : new float[] {0.3f, 2.1f, 4.2f}) {
      Document d = parse(HistogramPlot.svg(tensor("conv/Relu:0", chosen), "entropy"));
      List<double[]> boxes = extents(d);
      for (double[] b : boxes) {
        assertTrue(b[0] >= 0 && b[1] <= HistogramPlot.WIDTH, "label outside the picture at " + b[0] + ".." + b[1]);
      }
      for (double[] a : boxes) {
        for (double[] b : boxes) {
          if (a != b && Math.abs(a[2] - b[2]) < HistogramPlot.FONT) {
            assertTrue(a[1] <= b[0] || b[1] <= a[0], "labels overlap at y " + a[2] + ": " + a[0] + ".." + a[1]
                + " and " + b[0] + ".." + b[1]);
          }
        }
      }
    }
  }

  @Test
  void countsAreOnLabelledDecadesAndTheChosenThresholdIsMarkedAndNamed() throws Exception {
    String svg = HistogramPlot.svg(tensor("conv/Relu:0", 3.5f), "entropy");
    Document d = parse(svg);
    List<String> labels = new ArrayList<>();
    NodeList texts = d.getElementsByTagName("text");
    for (int i = 0; i < texts.getLength(); i++) {
      labels.add(texts.item(i).getTextContent());
    }
    assertTrue(labels.containsAll(List.of("1", "10", "100", "1k", "10k", "100k", "1M", "count (log)", "0", "1", "2",
        "3", "4", "5", "|x| (absolute activation value)", "entropy threshold 3.500")), labels.toString());
    NodeList lines = d.getElementsByTagName("line");
    int plotW = HistogramPlot.WIDTH - HistogramPlot.LEFT - HistogramPlot.RIGHT;
    boolean chosenLine = false;
    int dashed = 0;
    for (int i = 0; i < lines.getLength(); i++) {
      Element l = (Element) lines.item(i);
      if (l.getAttribute("stroke").equals(HistogramPlot.CHOSEN_COLOR)) {
        assertEquals(HistogramPlot.LEFT + 3.5 / 5 * plotW, Double.parseDouble(l.getAttribute("x1")), 0.1);
        chosenLine = true;
      }
      dashed += l.hasAttribute("stroke-dasharray") ? 1 : 0;
    }
    assertTrue(chosenLine, "the chosen threshold is drawn");
    assertEquals(3, dashed, "the other three algorithms, dashed");
  }

  @Test
  void ticksAreRoundNumbersCoveringTheData() {
    assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, HistogramPlot.niceTicks(4.2), 1e-12);
    assertArrayEquals(new double[] {0, 0.2, 0.4, 0.6000000000000001, 0.8, 1}, HistogramPlot.niceTicks(1.0), 1e-9);
    assertArrayEquals(new double[] {0, 5, 10, 15, 20}, HistogramPlot.niceTicks(17.93), 1e-12);
    assertArrayEquals(new double[] {0, 200, 400, 600, 800, 1000}, HistogramPlot.niceTicks(912), 1e-12);
    assertEquals("1", HistogramPlot.decadeLabel(0));
    assertEquals("100k", HistogramPlot.decadeLabel(5));
    assertEquals("10M", HistogramPlot.decadeLabel(7));
  }

  @Test
  void thePageNamesTheAlgorithmAndKeepsLongNamesWhole() {
    String name = "resnet50/conv4_block6_3_conv/Conv2D<&>:0";
    CalibrationResult r = new CalibrationResult("entropy", "EntropyCalibration2", Map.of(), "file:///data/cal", "abc123",
        2000, List.of(tensor(name, 3.5f)));
    String html = HistogramPage.html(r);
    assertTrue(html.contains("<h1>INT8 calibration: <span class='chosen'>entropy</span></h1>"), html);
    assertTrue(html.contains("<h2>resnet50/conv4_block6_3_conv/Conv2D&lt;&amp;&gt;:0</h2>"), "the full name, escaped");
    assertTrue(html.contains("KL divergence"), "what the algorithm does");
    assertTrue(html.contains("entropy (chosen) 3.5") && html.contains("mse 3.8"), "the legend");
  }
}
