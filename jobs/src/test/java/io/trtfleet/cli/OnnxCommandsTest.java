package io.trtfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trtfleet.testing.Fixtures;
import io.trtfleet.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxCommandsTest {

  @TempDir Path tmp;

  @Test
  void exportOnnxWritesModelAndSegmentsJson() throws Exception {
    Path model = TestModels.residualBlock(tmp.resolve("res"));
    InspectCommandTest.Run r = InspectCommandTest.cli("export-onnx", "--model", model.toString(), "--out",
        tmp.resolve("out").toString(), "--precision", "fp16");
    assertEquals(0, r.exit(), r.err());
    byte[] onnx = Files.readAllBytes(tmp.resolve("out/model.onnx"));
    assertTrue(onnx.length > 1000);
    JsonNode json = new ObjectMapper().readTree(tmp.resolve("out/segments.json").toFile());
    assertEquals("FP16", json.get("precision").asText());
    JsonNode whole = json.get("whole_model");
    assertTrue(whole.get("converted").asBoolean());
    assertEquals("model.onnx", whole.get("onnx").asText());
    assertEquals("images:0", whole.get("inputs").get(0).get("name").asText());
    assertEquals(2, whole.get("onnx_ops").get("Conv").asInt());
    JsonNode seg = json.get("segments").get(0);
    assertTrue(seg.get("converted").asBoolean());
    assertTrue(Files.isRegularFile(tmp.resolve("out").resolve(seg.get("onnx").asText())));
    assertTrue(r.out().contains("Wrote"), r.out());
  }

  @Test
  void int8WithoutCalibrationIsAUserError() {
    Path model = TestModels.mlp(tmp.resolve("mlp"));
    InspectCommandTest.Run r = InspectCommandTest.cli("verify", "--model", model.toString(), "--data", "random",
        "--precision", "INT8");
    assertEquals(Main.EXIT_BAD_INPUT, r.exit());
    assertTrue(r.err().contains("error: --precision INT8 needs --calibration FILE"), r.err());
  }

  @Test
  void verifyFp32FromParquetPassesAndPrintsTheTable() throws Exception {
    Path model = TestModels.cnn(tmp.resolve("cnn"));
    Path parquet = tmp.resolve("data.parquet");
    writeParquet(parquet, 50);
    InspectCommandTest.Run r = InspectCommandTest.cli("verify", "--model", model.toString(), "--data",
        parquet.toString(), "--batch-size", "16");
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("Compared 50 samples"), r.out());
    // The Softmax is the signature output, which stays in TensorFlow: the engine's output is the logits.
    assertTrue(r.out().matches("(?s).*TRTEngineOp_000_000 +21 .* ok\n.*"), r.out());
    assertTrue(r.out().contains("logits_dense/BiasAdd:0") && r.out().contains("1.0000"), r.out());
    assertTrue(r.out().contains("accuracy vs labels"), r.out());
  }

  @Test
  void verifyFp16OnFashionMnistSample() {
    Path model = Fixtures.fashionMnistModel();
    InspectCommandTest.Run r = InspectCommandTest.cli("verify", "--model", model.toString(), "--data",
        Fixtures.fashionMnistSamples("validation.parquet").toString(), "--samples", "300", "--precision", "FP16",
        "--max-relative-error", "0.01");
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("Compared 300 samples"), r.out());
  }

  @Test
  void verifyFailsWhenTheBoundIsExceeded() {
    Path model = TestModels.mlp(tmp.resolve("mlp"));
    InspectCommandTest.Run r = InspectCommandTest.cli("verify", "--model", model.toString(), "--data", "random:3",
        "--samples", "20", "--precision", "FP16", "--max-relative-error", "1e-9");
    assertEquals(VerifyCommand.EXIT_TOO_FAR, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("FAILED: relative RMS error above"), r.out());
  }

  private static Path zoo(String name) {
    return Fixtures.zooModels().stream().filter(p -> p.getFileName().toString().equals(name)).findFirst()
        .orElseThrow().resolve("saved_model");
  }

  @Test
  void verifyAStringInputModelSegmentBySegmentWithRandomExamples() {
    InspectCommandTest.Run r = InspectCommandTest.cli("verify", "--model", zoo("tfx-keras-serving").toString(),
        "--data", "random:1", "--samples", "12", "--batch-size", "5");
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("Compared 12 samples") && r.out().matches("(?s).*TRTEngineOp_000_000 +17 .* ok\n.*"),
        r.out());
  }

  @Test
  void verifyAModelWithoutSegmentsRunsItNatively() {
    InspectCommandTest.Run r = InspectCommandTest.cli("verify", "--model", zoo("tfjs-model-multi-output").toString(),
        "--data", "random", "--samples", "3");
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("Compared 3 samples") && r.out().contains("no TensorRT segment"), r.out());
  }

  @Test
  void verifyOfAModelTensorFlowCannotImportIsOneLine() {
    InspectCommandTest.Run r = InspectCommandTest.cli("verify", "--model", zoo("tfdf-adult-rf").toString(),
        "--data", "random");
    assertEquals(Main.EXIT_BAD_INPUT, r.exit());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("error: op 'SimpleMLInferenceOpWithHandle'"), r.err());
  }

  @Test
  void exportOnnxTakesTheShapeModes() throws Exception {
    String model = zoo("hidro-transformer").toString();
    InspectCommandTest.Run fixed = InspectCommandTest.cli("export-onnx", "--model", model, "--out",
        tmp.resolve("static").toString(), "--shapes", "static");
    InspectCommandTest.Run dynamic = InspectCommandTest.cli("export-onnx", "--model", model, "--out",
        tmp.resolve("dynamic").toString());
    assertEquals(0, fixed.exit(), fixed.err());
    assertEquals(0, dynamic.exit(), dynamic.err());
    JsonNode staticJson = new ObjectMapper().readTree(tmp.resolve("static/segments.json").toFile());
    JsonNode dynamicJson = new ObjectMapper().readTree(tmp.resolve("dynamic/segments.json").toFile());
    assertEquals("static", staticJson.get("shapes").asText());
    assertEquals("dynamic-batch", dynamicJson.get("shapes").asText());
    assertTrue(staticJson.get("segments").size() > 1, staticJson.toString());
    assertEquals(1, dynamicJson.get("segments").size(), "layer norm and attention in one engine");
    assertTrue(dynamicJson.get("segments").get(0).get("converted").asBoolean());
  }

  private static void writeParquet(Path file, int rows) throws Exception {
    Schema schema = SchemaBuilder.record("sample").fields()
        .name("images").type().array().items().floatType().noDefault()
        .name("label").type().intType().noDefault()
        .endRecord();
    java.util.Random random = new java.util.Random(4);
    try (ParquetWriter<GenericRecord> w = AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file))
        .withSchema(schema).build()) {
      for (int i = 0; i < rows; i++) {
        List<Float> pixels = new ArrayList<>();
        for (int p = 0; p < 28 * 28; p++) {
          pixels.add(random.nextFloat());
        }
        GenericRecord rec = new GenericData.Record(schema);
        rec.put("images", pixels);
        rec.put("label", i % 10);
        w.write(rec);
      }
    }
  }
}
