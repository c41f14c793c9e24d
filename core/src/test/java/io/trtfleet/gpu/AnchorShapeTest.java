package io.trtfleet.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.trtfleet.convert.ConversionOptions;
import io.trtfleet.convert.OnnxSegmentConverter;
import io.trtfleet.Precision;
import io.trtfleet.convert.WholeGraphSegment;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.onnx.OnnxRunner;
import io.trtfleet.onnx.proto.Onnx.ModelProto;
import io.trtfleet.testing.ResNet50;
import io.trtfleet.testing.TestModels;
import io.trtfleet.quantize.CalibrationTable;
import io.trtfleet.testing.MinMaxTables;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GPU experiment's rewrites change the input layout and the outputs, not what the model computes. */
class AnchorShapeTest {

  @Test
  void nchwInputComputesTheSameFromTransposedImagesAndLogitsOnlyKeepsTheLogits(@TempDir Path dir) throws Exception {
    FrozenGraph g = SavedModelImporter.importModel(ImportOptions.of(ResNet50.export(dir.resolve("r50"), 32))).graph();
    byte[] onnx = OnnxSegmentConverter.convert(g, WholeGraphSegment.of(g), ConversionOptions.of(Precision.FP16))
        .orElseThrow().onnx();
    byte[] nchw = AnchorShape.nchwInput(onnx);
    byte[] logits = AnchorShape.logitsOnly(nchw, "logits");

    assertEquals(count(onnx, "Transpose") - 1, count(nchw, "Transpose"));
    assertEquals(0, count(logits, "Softmax"));
    String input = g.signature().inputs().get(0).tensor().name();
    float[] nhwc = TestModels.randomInput(5, 2 * 32 * 32 * 3);
    float[] chw = new float[nhwc.length];
    for (int n = 0; n < 2; n++) {
      for (int p = 0; p < 32 * 32; p++) {
        for (int c = 0; c < 3; c++) {
          chw[(n * 3 + c) * 32 * 32 + p] = nhwc[(n * 32 * 32 + p) * 3 + c];
        }
      }
    }
    try (OnnxRunner a = new OnnxRunner(onnx); OnnxRunner b = new OnnxRunner(logits)) {
      Map<String, HostTensor> out = a.run(Map.of(input, HostTensor.ofFloats(new long[] {2, 32, 32, 3}, nhwc)));
      Map<String, HostTensor> got = b.run(Map.of(input, HostTensor.ofFloats(new long[] {2, 3, 32, 32}, chw)));
      assertEquals(1, got.size());
      String name = got.keySet().iterator().next();
      // FP16 through other ONNX Runtime kernels: equal to FP16 rounding; a wrong layout is far off
      assertEquals(0, GpuSuite.relRms(got.get(name).floats(), out.get(name).floats()), 1e-3);
    }
  }

  /** Fed the quantized images, the INT8-input model computes what the FP32-input one does from their dequantized values. */
  @Test
  void int8InputComputesTheSameFromQuantizedImages(@TempDir Path dir) throws Exception {
    FrozenGraph g = SavedModelImporter.importModel(ImportOptions.of(ResNet50.export(dir.resolve("r50"), 32))).graph();
    String input = g.signature().inputs().get(0).tensor().name();
    float[] images = TestModels.randomInput(6, 2 * 32 * 32 * 3);
    long[] shape = {2, 32, 32, 3};
    CalibrationTable table = MinMaxTables.of(g, WholeGraphSegment.of(g),
        List.of(Map.of(input, HostTensor.ofFloats(shape, images))));
    byte[] onnx = OnnxSegmentConverter.convert(g, WholeGraphSegment.of(g), ConversionOptions.quantized(Precision.INT8, table))
        .orElseThrow().onnx();
    byte[] int8 = AnchorShape.int8Input(onnx);
    assertEquals(count(onnx, "DequantizeLinear") + 1, count(int8, "DequantizeLinear"));
    float scale = io.trtfleet.onnx.Half.round(table.scale("Pad:0").orElseThrow()); // as the FP16 Q stores it
    byte[] q = new byte[images.length];
    float[] dequantized = new float[images.length];
    for (int i = 0; i < q.length; i++) {
      q[i] = (byte) Math.max(-127, Math.min(127, Math.round(images[i] / scale)));
      dequantized[i] = q[i] * scale;
    }
    try (OnnxRunner a = new OnnxRunner(onnx); OnnxRunner b = new OnnxRunner(int8)) {
      float[] want = a.run(Map.of(input, HostTensor.ofFloats(shape, dequantized))).get("logits:0").floats();
      float[] got = b.run(Map.of(input, new HostTensor(org.tensorflow.proto.DataType.DT_INT8, shape, q))).get("logits:0")
          .floats();
      assertEquals(0, GpuSuite.relRms(got, want), 1e-3);
    }
  }

  private static long count(byte[] model, String opType) throws Exception {
    return ModelProto.parseFrom(model).getGraph().getNodeList().stream().filter(n -> n.getOpType().equals(opType)).count();
  }
}
