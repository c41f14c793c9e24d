package io.trtfleet.calibrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.convert.ConversionOptions;
import io.trtfleet.convert.ConvertedSegment;
import io.trtfleet.convert.OnnxSegmentConverter;
import io.trtfleet.convert.WholeGraphSegment;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.onnx.OnnxRunner;
import io.trtfleet.quantize.QuantizationTargets;
import io.trtfleet.reference.ReferenceRunner;
import io.trtfleet.tensorrt.GpuUnavailableException;
import io.trtfleet.tensorrt.TensorRt;
import io.trtfleet.testing.TestModels;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU collector's graph side without a GPU: TF calibration targets map to ONNX values, become extra
 * graph outputs, and (run here with ONNX Runtime instead of TensorRT) hold the same |x| multiset as the
 * TensorFlow tensors, whatever the layout.
 */
class CalibrationOutputsTest {

  static FrozenGraph cnn;
  static FrozenGraph residual;

  @BeforeAll
  static void models(@TempDir Path tmp) {
    cnn = SavedModelImporter.importModel(ImportOptions.of(TestModels.cnn(tmp.resolve("cnn")))).graph();
    residual = SavedModelImporter.importModel(ImportOptions.of(TestModels.residualBlock(tmp.resolve("res")))).graph();
  }

  @Test
  void cnnTargetsMapToOnnxValues() {
    checkAgainstTensorFlow(cnn, new long[] {5, 28, 28, 1});
  }

  @Test
  void residualTargetsMapToOnnxValues() {
    checkAgainstTensorFlow(residual, new long[] {5, 16, 16, 8});
  }

  private static void checkAgainstTensorFlow(FrozenGraph g, long[] shape) {
    List<String> targets = QuantizationTargets.of(g);
    assertFalse(targets.isEmpty());
    ConvertedSegment seg = OnnxSegmentConverter.convert(g, WholeGraphSegment.of(g), ConversionOptions.fp32()).orElseThrow();
    CalibrationOutputs plan = CalibrationOutputs.plan(seg, targets);
    assertEquals(targets, List.copyOf(plan.onnxValue().keySet()));
    String input = g.signature().inputs().get(0).tensor().name();
    byte[] onnx = CalibrationOutputs.withOutputs(seg.onnx(), plan.extraOutputs());
    HostTensor x = HostTensor.ofFloats(shape, TestModels.randomInput(3, (int) HostTensor.elementCount(shape)));
    Map<String, HostTensor> tf;
    try (ReferenceRunner ref = new ReferenceRunner(g)) {
      tf = ref.run(Map.of(input, x), targets);
    }
    try (OnnxRunner ort = new OnnxRunner(onnx)) {
      assertTrue(ort.outputNames().containsAll(plan.extraOutputs()), ort.outputNames() + " vs " + plan.extraOutputs());
      Map<String, HostTensor> got = ort.run(Map.of(input, x));
      for (String t : targets) {
        String v = plan.onnxValue().get(t);
        HostTensor onnxValue = v.equals(input) ? x : got.get(v);
        float[] a = sortedAbs(tf.get(t).floats());
        float[] b = sortedAbs(onnxValue.floats());
        assertEquals(a.length, b.length, t + " -> " + v);
        assertEquals(tf.get(t).shape()[0], onnxValue.shape()[0], t + ": batch leads in both layouts");
        for (int i = 0; i < a.length; i++) {
          assertEquals(a[i], b[i], 1e-4f * Math.max(1f, a[a.length - 1]), t + " -> " + v + " element " + i);
        }
      }
    }
  }

  private static float[] sortedAbs(float[] v) {
    float[] a = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      a[i] = Math.abs(v[i]);
    }
    Arrays.sort(a);
    return a;
  }

  @Test
  void unknownTargetsAndValuesAreErrors() {
    ConvertedSegment seg = OnnxSegmentConverter.convert(cnn, WholeGraphSegment.of(cnn), ConversionOptions.fp32()).orElseThrow();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CalibrationOutputs.plan(seg, List.of("no_such_node:0")));
    assertTrue(e.getMessage().contains("no_such_node:0") && e.getMessage().contains("--calibration-device cpu"));
    assertThrows(IllegalArgumentException.class, () -> CalibrationOutputs.withOutputs(seg.onnx(), List.of("nope")));
    String input = cnn.signature().inputs().get(0).tensor().name();
    assertEquals(input, CalibrationOutputs.plan(seg, List.of(input)).onnxValue().get(input));
    assertTrue(CalibrationOutputs.plan(seg, List.of(input)).extraOutputs().isEmpty(), "inputs are read in place");
  }

  @Test
  void validElementsCountTheLeadingSamples() {
    assertEquals(3 * 8 * 14 * 14, GpuActivationCollector.validElements(new long[] {5, 8, 14, 14}, 3));
    assertEquals(6, GpuActivationCollector.validElements(new long[] {2, 3}, 2));
    assertEquals(7, GpuActivationCollector.validElements(new long[] {}, 3) * 7);
    assertEquals(0, GpuActivationCollector.validElements(new long[] {0, 10}, 0), "an empty batch");
  }

  @Test
  void withoutGpuTheCollectorSaysWhy() {
    Assumptions.assumeTrue(TensorRt.unavailableReason().isPresent(), "a GPU is present: GpuCalibrationCheck covers it");
    GpuUnavailableException e = assertThrows(GpuUnavailableException.class,
        () -> GpuActivationCollector.forGraph(cnn, QuantizationTargets.of(cnn), 0, 8));
    assertTrue(e.getMessage().contains(TensorRt.unavailableReason().orElseThrow()), e.getMessage());
  }
}
