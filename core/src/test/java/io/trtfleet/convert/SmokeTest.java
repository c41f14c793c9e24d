package io.trtfleet.convert;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.testing.TestModels;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {
  @TempDir Path tmp;

  @Test
  void models() {
    for (String m : new String[] {"mlp", "cnn", "res", "dw"}) {
      Path dir = switch (m) {
        case "mlp" -> TestModels.mlp(tmp.resolve(m));
        case "cnn" -> TestModels.cnn(tmp.resolve(m));
        case "res" -> TestModels.residualBlock(tmp.resolve(m));
        default -> TestModels.depthwiseSeparable(tmp.resolve(m));
      };
      FrozenGraph g = SavedModelImporter.importModel(ImportOptions.of(dir)).graph();
      for (PrecisionPolicy p : new PrecisionPolicy[] {PrecisionPolicy.FP32, PrecisionPolicy.FP16}) {
        ConvertedSegment c = ConversionHarness.convert(g, ConversionOptions.of(p));
        var cmp = ConversionHarness.compare(g, c, ConversionHarness.randomInputs(c, 3, 1));
        System.out.println(m + " " + p + " " + cmp.values() + "\n" + c.report().summary() + " " + c.report().onnxOps());
      }
    }
    Path d = tmp.resolve("x");
    FrozenGraph g = ConversionHarness.graph(d, new long[] {-1, 5, 7, 3}, (tf, x) -> Map.of("y", tf.math.tanh(x)));
    ConvertedSegment c = ConversionHarness.convert(g, ConversionOptions.fp32());
    System.out.println(ConversionHarness.compare(g, c, ConversionHarness.randomInputs(c, 2, 1)));
    assertTrue(true);
  }
}
