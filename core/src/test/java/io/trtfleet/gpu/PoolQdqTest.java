package io.trtfleet.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.trtfleet.Precision;
import io.trtfleet.convert.ConversionOptions;
import io.trtfleet.convert.OnnxSegmentConverter;
import io.trtfleet.convert.WholeGraphSegment;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.onnx.OnnxRunner;
import io.trtfleet.onnx.proto.Onnx.ModelProto;
import io.trtfleet.onnx.proto.Onnx.NodeProto;
import io.trtfleet.testing.MinMaxTables;
import io.trtfleet.testing.ResNet50;
import io.trtfleet.testing.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Moving or adding the max pool's Q/DQ changes where TensorRT sees it, not what the model computes. */
class PoolQdqTest {

  @Test
  void poolQdqOnTheInputComputesTheSame(@TempDir Path dir) throws Exception {
    FrozenGraph g = SavedModelImporter.importModel(ImportOptions.of(ResNet50.export(dir.resolve("r50"), 32))).graph();
    String input = g.signature().inputs().get(0).tensor().name();
    HostTensor images = HostTensor.ofFloats(new long[] {2, 32, 32, 3}, TestModels.randomInput(7, 2 * 32 * 32 * 3));
    // FP32 between layers: ONNX Runtime runs FP32 Q/DQ exactly as the ONNX spec says (see Fp16QuantizeRewrite for FP16).
    byte[] onnx = OnnxSegmentConverter.convert(g, WholeGraphSegment.of(g), ConversionOptions.quantized(Precision.INT8_FP32,
        MinMaxTables.of(g, WholeGraphSegment.of(g), List.of(Map.of(input, images))))).orElseThrow().onnx();
    byte[] both = PoolQdq.inputToo(onnx);
    byte[] moved = PoolQdq.inputOnly(onnx);

    assertEquals(count(onnx, "QuantizeLinear") + 1, count(both, "QuantizeLinear"));
    assertEquals(count(onnx, "QuantizeLinear"), count(moved, "QuantizeLinear"));
    assertEquals("DequantizeLinear", producer(both, pool(both).getInput(0)));
    assertEquals("DequantizeLinear", producer(moved, pool(moved).getInput(0)));
    assertEquals(List.of("Conv", "Conv"), readers(moved, pool(moved).getOutput(0)));
    // Node by node, as written: ONNX Runtime's own Q/DQ fusions would round each graph its own way.
    try (OnnxRunner a = new OnnxRunner(onnx, 0, false); OnnxRunner b = new OnnxRunner(both, 0, false);
        OnnxRunner c = new OnnxRunner(moved, 0, false)) {
      float[] want = a.run(Map.of(input, images)).get("logits:0").floats();
      // max and quantization commute: the same values reach every later layer
      assertEquals(0, GpuSuite.relRms(b.run(Map.of(input, images)).get("logits:0").floats(), want), 1e-6);
      assertEquals(0, GpuSuite.relRms(c.run(Map.of(input, images)).get("logits:0").floats(), want), 1e-6);
    }
  }

  private static List<NodeProto> nodes(byte[] model) throws Exception {
    return ModelProto.parseFrom(model).getGraph().getNodeList();
  }

  private static long count(byte[] model, String opType) throws Exception {
    return nodes(model).stream().filter(n -> n.getOpType().equals(opType)).count();
  }

  private static NodeProto pool(byte[] model) throws Exception {
    return nodes(model).stream().filter(n -> n.getOpType().equals("MaxPool")).findFirst().orElseThrow();
  }

  private static String producer(byte[] model, String value) throws Exception {
    return nodes(model).stream().filter(n -> n.getOutputList().contains(value)).findFirst().orElseThrow().getOpType();
  }

  private static List<String> readers(byte[] model, String value) throws Exception {
    return nodes(model).stream().filter(n -> n.getInputList().contains(value)).map(NodeProto::getOpType).toList();
  }
}
