package io.trtfleet.gpu;

import io.trtfleet.calibrate.ActivationCollector;
import io.trtfleet.calibrate.GpuActivationCollector;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.quantize.AbsHistogram;
import io.trtfleet.quantize.CalibrationAlgorithm;
import io.trtfleet.quantize.CalibrationResult;
import io.trtfleet.quantize.CalibrationTable;
import io.trtfleet.quantize.Calibrator;
import io.trtfleet.quantize.HistogramSet;
import io.trtfleet.quantize.ThresholdSelector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One set of ResNet-50 calibration images for both sides of the INT8 comparison: our entropy table from
 * the GPU collector, and the same images, transposed to NCHW, for TensorRT's IInt8EntropyCalibrator2.
 * Random N(0,1) images (no real images reach the GPU host): the comparison is of the two calibrators on
 * the same data, not of accuracy.
 *
 * @param batches NHWC batches of {@code batch} images
 * @param onnxNames our tensor names (TensorFlow's) to the ONNX value names TensorRT's cache uses
 */
record ResNetCalibration(List<HostTensor> batches, int batch, int size, CalibrationTable entropy,
    Map<String, String> onnxNames, double seconds) {

  static ResNetCalibration collect(FrozenGraph g, List<String> targets, int images, int batch, int size, int ordinal) {
    String input = g.signature().inputs().get(0).tensor().name();
    List<HostTensor> batches = new ArrayList<>();
    Random rnd = new Random(5);
    for (int s = 0; s < images; s += batch) {
      batches.add(GpuSuite.gaussianImages(rnd, batch, size));
    }
    long t0 = System.nanoTime();
    try (GpuActivationCollector gpu = GpuActivationCollector.forGraph(g, targets, ordinal, batch)) {
      Map<String, Float> ranges = new LinkedHashMap<>();
      for (HostTensor b : batches) {
        ranges = ActivationCollector.mergeRanges(ranges, gpu.ranges(Map.of(input, b), batch));
      }
      HistogramSet h = HistogramSet.withRanges(targets, ranges, AbsHistogram.DEFAULT_BINS);
      for (HostTensor b : batches) {
        gpu.accumulate(Map.of(input, b), batch, h);
      }
      gpu.flush();
      Calibrator entropy = CalibrationAlgorithm.ENTROPY.calibrator(99.99);
      CalibrationTable table = new CalibrationResult(entropy.name(), entropy.cacheName(),
          Map.of("calibration_device", "gpu"), "gaussian-images", "-", h.samples(),
          ThresholdSelector.select(h, entropy, List.of(entropy))).table();
      return new ResNetCalibration(List.copyOf(batches), batch, size, table, gpu.outputs().onnxValue(),
          (System.nanoTime() - t0) / 1e9);
    }
  }

  /** All images, NCHW, one array (TensorRT's calibrator reads the anchor's NCHW input). */
  float[] nchw() {
    int per = 3 * size * size;
    float[] out = new float[batches.size() * batch * per];
    int image = 0;
    for (HostTensor b : batches) {
      float[] x = b.floats();
      for (int i = 0; i < batch; i++, image++) {
        toNchw(x, i * per, out, image * per, size);
      }
    }
    return out;
  }

  /** One batch of NHWC images as NCHW (the anchor's input). */
  static HostTensor nchw(HostTensor nhwc) {
    long[] s = nhwc.shape();
    int size = (int) s[1];
    int per = 3 * size * size;
    float[] x = nhwc.floats();
    float[] out = new float[x.length];
    for (int i = 0; i < s[0]; i++) {
      toNchw(x, i * per, out, i * per, size);
    }
    return HostTensor.ofFloats(new long[] {s[0], 3, size, size}, out);
  }

  private static void toNchw(float[] x, int from, float[] out, int to, int size) {
    for (int h = 0; h < size; h++) {
      for (int w = 0; w < size; w++) {
        for (int c = 0; c < 3; c++) {
          out[to + (c * size + h) * size + w] = x[from + (h * size + w) * 3 + c];
        }
      }
    }
  }
}
