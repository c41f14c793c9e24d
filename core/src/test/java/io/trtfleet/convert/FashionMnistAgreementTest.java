package io.trtfleet.convert;

import io.trtfleet.testing.MinMaxTables;
import io.trtfleet.Precision;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.onnx.OnnxRunner;
import io.trtfleet.quantize.CalibrationTable;
import io.trtfleet.reference.ReferenceRunner;
import io.trtfleet.testing.Fixtures;
import io.trtfleet.verify.OutputComparison;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The trained Fashion-MNIST sample CNN on the 2,000 bundled test-split images: FP16 and INT8 (min-max
 * table from the 2,000 bundled training images) against TensorFlow FP32, by top-1 agreement of the
 * probabilities.
 */
class FashionMnistAgreementTest {

  static final int IMAGES = 2_000;
  static final int BATCH = 500;
  static FrozenGraph graph;
  static String input;
  static List<HostTensor> batches = new ArrayList<>();
  static List<HostTensor> expected = new ArrayList<>();

  @BeforeAll
  static void reference() {
    graph = SavedModelImporter.importModel(ImportOptions.of(Fixtures.fashionMnistModel())).graph();
    input = graph.signature().inputs().get(0).tensor().name();
    try (ReferenceRunner tf = new ReferenceRunner(graph, 2)) {
      for (int from = 0; from < IMAGES; from += BATCH) {
        HostTensor images = FashionMnist.testImages(from, BATCH);
        batches.add(images);
        expected.add(tf.run(Map.of(input, images), List.of("probabilities:0")).get("probabilities:0"));
      }
    }
  }

  private static OutputComparison agreement(ConversionOptions options) {
    return agreement(options, true);
  }

  private static OutputComparison agreement(ConversionOptions options, boolean fuse) {
    ConvertedSegment c = ConversionHarness.convert(graph, options);
    OutputComparison.Accumulator acc = new OutputComparison.Accumulator("probabilities:0", true);
    try (OnnxRunner ort = new OnnxRunner(c.onnx(), 2, fuse)) {
      for (int i = 0; i < batches.size(); i++) {
        acc.add(expected.get(i), ort.run(Map.of(input, batches.get(i))).get("probabilities:0"));
      }
    }
    OutputComparison result = acc.result();
    System.out.println("Fashion-MNIST " + options.precision() + (fuse ? "" : " (no ORT fusion)") + ": " + result + "\n" + c.report().summary());
    return result;
  }

  @Test
  void fp32IsExact() {
    assertTrue(agreement(ConversionOptions.fp32()).relativeRmsError() < 1e-5);
  }

  @Test
  void fp16AgreesOn999PerMille() {
    OutputComparison r = agreement(ConversionOptions.of(Precision.FP16));
    assertTrue(r.top1Agreement() >= 0.999, r::toString);
  }

  /** A min-max table from the 2,000 bundled training images (the test images stay held out). */
  private static CalibrationTable minMaxTable() {
    List<Map<String, HostTensor>> calibration = new ArrayList<>();
    for (int from = 0; from < 2000; from += BATCH) {
      calibration.add(Map.of(input, FashionMnist.trainImages(from, BATCH)));
    }
    return MinMaxTables.of(graph, WholeGraphSegment.of(graph), calibration);
  }

  @Test
  void int8WithMinMaxTableAgreesOn99Percent() {
    CalibrationTable table = minMaxTable();
    OutputComparison fp32Between = agreement(ConversionOptions.quantized(Precision.INT8_FP32, table));
    OutputComparison fp16Between = agreement(ConversionOptions.quantized(Precision.INT8, table));
    assertTrue(fp32Between.top1Agreement() >= 0.99, fp32Between::toString);
    assertTrue(fp16Between.top1Agreement() >= 0.99, fp16Between::toString);
  }

  /**
   * FP8 E4M3 Q/DQ (scales amax / 448 from the same table) runs in ONNX Runtime on the CPU and agrees with
   * TensorFlow FP32 on at least 98% of the held-out images (measured: 98.9%; the FP8 gate asks 97%). FP8
   * keeps 3 mantissa bits at every magnitude where INT8 keeps up to 7 near amax, so on this small, well
   * calibrated CNN it is a little behind INT8 (99.6%); its error is quantization's, not zero, and under
   * the gate's 10% relative RMS.
   */
  @Test
  void fp8WithMinMaxTableAgreesOn98Percent() {
    OutputComparison fp8 = agreement(ConversionOptions.quantized(Precision.FP8, minMaxTable()));
    assertTrue(fp8.top1Agreement() >= 0.98, fp8::toString);
    assertTrue(fp8.relativeRmsError() > 1e-3 && fp8.relativeRmsError() < 0.1, fp8::toString);
  }
}
