package io.trtfleet.bench;

import io.trtfleet.convert.ConversionOptions;
import io.trtfleet.convert.OnnxSegmentConverter;
import io.trtfleet.Precision;
import io.trtfleet.convert.WholeGraphSegment;
import io.trtfleet.gpu.GpuSuite;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.onnx.OnnxRunner;
import io.trtfleet.quantize.CalibrationTable;
import io.trtfleet.quantize.QuantizationTargets;
import io.trtfleet.segment.Segment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * INT8 accuracy per calibration algorithm on the CPU path: the sample CNN's Q/DQ ONNX run by ONNX
 * Runtime on 2,000 Fashion-MNIST test images, scales from 2,000 training images. Needs the Debian
 * package dataset-fashion-mnist. Run: scripts/bench core io.trtfleet.bench.Int8AccuracyBench
 */
public final class Int8AccuracyBench {

  public static void main(String[] args) throws Exception {
    Path idx = Path.of(args.length > 0 ? args[0] : "/usr/share/datasets/fashion-mnist");
    Path root = Path.of(System.getProperty("trtfleet.root", "."));
    FrozenGraph g = SavedModelImporter.importModel(ImportOptions.of(
        root.resolve("calibration-data/samples/fashion-mnist-cnn/saved_model"))).graph();
    Segment segment = WholeGraphSegment.of(g);
    String input = g.signature().inputs().get(0).tensor().name();
    float[] val = GpuSuite.images(idx.resolve("t10k-images-idx3-ubyte.gz"), 2000);
    int[] labels = GpuSuite.labels(idx.resolve("t10k-labels-idx1-ubyte.gz"), 2000);
    float[] cal = GpuSuite.images(idx.resolve("train-images-idx3-ubyte.gz"), 2000);
    Map<String, CalibrationTable> tables = GpuSuite.calibrate(g, QuantizationTargets.of(g, segment), cal, input);
    Map<String, ConversionOptions> variants = new LinkedHashMap<>();
    variants.put("FP32", ConversionOptions.fp32());
    tables.forEach((name, t) -> variants.put("INT8 " + name, ConversionOptions.quantized(Precision.INT8, t)));
    float[] reference = null;
    System.out.println("| variant | top-1 | agreement with FP32 |");
    System.out.println("|---|---|---|");
    for (Map.Entry<String, ConversionOptions> v : variants.entrySet()) {
      byte[] onnx = OnnxSegmentConverter.convert(g, segment, v.getValue()).orElseThrow().onnx();
      float[] probs = new float[labels.length * 10];
      try (OnnxRunner ort = new OnnxRunner(onnx, 2)) {
        String out = ort.outputNames().stream().filter(o -> o.startsWith("probabilities")).findFirst()
            .orElse(ort.outputNames().get(0));
        for (int s = 0; s < labels.length; s += 250) {
          System.arraycopy(ort.run(Map.of(input, GpuSuite.slice(val, s, 250))).get(out).floats(), 0, probs, s * 10, 2500);
        }
      }
      if (reference == null) {
        reference = probs;
      }
      System.out.printf(Locale.ROOT, "| %s | %.2f%% | %.2f%% |%n", v.getKey(), 100 * GpuSuite.top1(probs, labels),
          100 * GpuSuite.agreement(probs, reference));
    }
  }

  private Int8AccuracyBench() {}

}
