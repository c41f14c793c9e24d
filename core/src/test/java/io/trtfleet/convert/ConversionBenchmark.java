package io.trtfleet.convert;

import io.trtfleet.Precision;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.testing.ResNet50;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Times ResNet-50 SavedModel -> ONNX: import (parse, freeze variables, shape inference) and conversion,
 * per precision, several runs in one JVM (the first includes JIT warm-up). Results go to
 * docs/benchmarks/conversion.md. Run:
 * <pre>
 * mvn -q -o -pl core test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.trtfleet.convert.ConversionBenchmark -Dexec.args="/tmp/r50 3"
 * </pre>
 */
public final class ConversionBenchmark {

  private ConversionBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "/tmp/trtfleet-resnet50");
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    if (!Files.exists(dir.resolve("saved_model.pb"))) {
      long t = System.nanoTime();
      ResNet50.export(dir);
      System.out.printf("exported ResNet-50 to %s in %.1f s%n", dir, (System.nanoTime() - t) / 1e9);
    }
    System.out.printf("cores=%d, max heap=%d MiB%n", Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    for (int run = 1; run <= runs; run++) {
      long t0 = System.nanoTime();
      FrozenGraph g = SavedModelImporter.importModel(ImportOptions.of(dir)).graph();
      long t1 = System.nanoTime();
      ConvertedSegment fp32 = OnnxSegmentConverter.convert(g, WholeGraphSegment.of(g), ConversionOptions.fp32())
          .orElseThrow();
      long t2 = System.nanoTime();
      ConvertedSegment fp16 = OnnxSegmentConverter.convert(g, WholeGraphSegment.of(g),
          ConversionOptions.of(Precision.FP16)).orElseThrow();
      long t3 = System.nanoTime();
      System.out.printf("run %d: import %.2f s, convert FP32 %.2f s (%d MB), convert FP16 %.2f s (%d MB);"
              + " SavedModel->FP32 ONNX total %.2f s%n", run, (t1 - t0) / 1e9, (t2 - t1) / 1e9,
          fp32.onnx().length >> 20, (t3 - t2) / 1e9, fp16.onnx().length >> 20, (t2 - t0) / 1e9);
    }
  }
}
