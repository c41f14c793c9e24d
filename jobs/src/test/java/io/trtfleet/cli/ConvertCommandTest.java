package io.trtfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trtfleet.testing.TestModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.FunctionDefLibrary;
import picocli.CommandLine;

class ConvertCommandTest {

  @TempDir static Path models;
  @TempDir Path tmp;
  static Path cnn;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeAll
  static void exportModel() {
    cnn = TestModels.cnn(models.resolve("cnn"));
  }

  private int convert(String... extra) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    List<String> args = new java.util.ArrayList<>(List.of("convert", "--model", cnn.toString(),
        "--out", tmp.resolve("out").toString()));
    args.addAll(List.of(extra));
    return cli.execute(args.toArray(String[]::new));
  }

  private String file(String relative) throws Exception {
    return Files.readString(tmp.resolve("out").resolve(relative));
  }

  @Test
  void writesTheConvertedSavedModelWithEnginesBuiltAtRuntime() throws Exception {
    assertEquals(0, convert("--precision", "FP16"), err::toString);
    org.tensorflow.proto.SavedModel saved = org.tensorflow.proto.SavedModel.parseFrom(
        Files.readAllBytes(tmp.resolve("out/saved_model/saved_model.pb")));
    List<org.tensorflow.proto.NodeDef> ops = saved.getMetaGraphs(0).getGraphDef().getNodeList().stream()
        .filter(n -> n.getOp().equals("TRTEngineOp")).toList();
    assertEquals(1, ops.size());
    assertEquals("FP16", ops.get(0).getAttrOrThrow("precision_mode").getS().toStringUtf8());
    assertEquals(false, ops.get(0).getAttrOrThrow("static_engine").getB(), "no engine here: TF-TRT builds it at runtime");
    assertTrue(saved.getMetaGraphs(0).getSignatureDefMap().containsKey("serving_default"));
    assertTrue(!Files.exists(tmp.resolve("out/saved_model/assets")), "no serialized engines without a GPU");
  }

  @Test
  void writesSummaryNonConversionReportJsonDotAndNativeSegments() throws Exception {
    assertEquals(0, convert("--no-build"), err::toString);
    String summary = file("report/summary.txt");
    assertTrue(out.toString().contains(summary), "the summary is printed too");
    assertTrue(summary.contains("Total number of TensorRT engines: 1\n"), summary);
    // 24 nodes: images, 21 in the engine (10 of them Consts), the logits Identity and the Softmax.
    assertTrue(summary.contains("% of OPs Converted: 87.50% [21/24]\n"), summary);
    assertTrue(summary.contains("% of convertible OPs Converted: 100.00% [21/21]"), summary);
    assertTrue(summary.contains("\t- Const: 10x\n"), summary);
    assertTrue(summary.contains("\t- Conv2D: 2x\n"), summary);
    assertTrue(summary.contains("TRTEngineOp_000_000  21"), summary);
    assertTrue(summary.contains("['float32']") && summary.contains("[[-1, 28, 28, 1]]"), summary);

    List<String> csv = Files.readAllLines(tmp.resolve("out/report/nonconverted.csv"));
    assertEquals(List.of("op_type,count,reason,nodes",
        "Identity,1,signature output (never part of a segment),logits",
        "Placeholder,1,\"signature input (stays in TensorFlow, feeds the engines)\",images",
        "Softmax,1,signature output (never part of a segment),probabilities"), csv);
    assertTrue(out.toString().contains("3 nodes of 3 op types are not converted to TensorRT:"), out.toString());

    JsonNode json = new ObjectMapper().readTree(file("report/report.json"));
    assertEquals(1, json.get("summary").get("engines").asInt());
    assertEquals(21, json.get("summary").get("ops_converted").asInt());
    assertEquals(24, json.get("summary").get("ops_total").asInt());
    assertEquals("images:0", json.get("engines").get(0).get("inputs").get(0).get("name").asText());
    assertEquals(3, json.get("not_converted").size());

    String dot = file("report/graph.dot");
    assertTrue(dot.startsWith("digraph \"serving_default\" {"), dot);
    assertTrue(dot.contains("subgraph \"cluster_TRTEngineOp_000_000\""), dot);
    assertTrue(dot.contains("\"images\" -> \"conv1/Conv2d\";"), dot);

    FunctionDefLibrary library = FunctionDefLibrary.parseFrom(
        Files.readAllBytes(tmp.resolve("out/segments/native_segments.pb")));
    assertEquals("TRTEngineOp_000_000_native_segment", library.getFunction(0).getSignature().getName());
  }

  @Test
  void denylistAndMinimumSegmentSizeChangeTheEngines() throws Exception {
    assertEquals(0, convert("--denylist", "MaxPool", "--no-build"), err::toString);
    assertTrue(file("report/summary.txt").contains("Total number of TensorRT engines: 2\n"));
    assertTrue(file("report/nonconverted.csv").contains("MaxPool,1,MaxPool: in the op denylist,MaxPool\n"));
    assertEquals(0, convert("--minimum-segment-size", "22", "--no-build"), err::toString);
    String summary = file("report/summary.txt");
    assertTrue(summary.contains("Total number of TensorRT engines: 0\n"), summary);
    assertTrue(summary.contains("% of OPs Converted: 0.00% [0/24]"), summary);
  }

  /** The trained sample converts into exactly one engine holding every convertible op. */
  @Test
  void fashionMnistSampleIsOneEngine() throws Exception {
    Path sample = io.trtfleet.testing.Fixtures.fashionMnistModel();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    assertEquals(0, cli.execute("convert", "--model", sample.toString(), "--out", tmp.resolve("out").toString(),
        "--no-build"), err::toString);
    String summary = file("report/summary.txt");
    assertTrue(summary.contains("Total number of TensorRT engines: 1\n"), summary);
    assertTrue(summary.contains("% of OPs Converted: 88.46% [23/26]\n"), summary);
    assertTrue(summary.contains("% of convertible OPs Converted: 100.00% [23/23]"), summary);
  }

  @Test
  void badOptionsAreOneLineErrors() {
    assertEquals(Main.EXIT_BAD_INPUT, convert("--denylist", "Conv2d"));
    assertTrue(err.toString().startsWith("error: Invalid denylist op 'Conv2d': TensorFlow has no op of that name"
        + " (did you mean Conv2D?)"), err.toString());
    assertEquals(Main.EXIT_BAD_INPUT, convert("--minimum-segment-size=-5"));
    assertTrue(err.toString().contains("error: Invalid minimum segment size -5: use a number >= 1, or -1 to turn"
        + " conversion off"), err.toString());
    assertEquals(Main.EXIT_BAD_INPUT, convert("--precision", "FP64"));
    assertTrue(err.toString().contains("error: Invalid precision 'FP64': use one of FP32, FP16, INT8, INT8_FP32, FP8"),
        err.toString());
  }
}
