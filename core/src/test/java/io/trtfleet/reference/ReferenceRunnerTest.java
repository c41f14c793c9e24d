package io.trtfleet.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.graph.Node;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.testing.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceRunnerTest {

  static FrozenGraph cnn;

  @BeforeAll
  static void importCnn(@TempDir Path tmp) {
    cnn = SavedModelImporter.importModel(ImportOptions.of(TestModels.cnn(tmp.resolve("cnn")))).graph();
  }

  private static HostTensor batch(int n, long seed) {
    return HostTensor.ofFloats(new long[] {n, 28, 28, 1}, TestModels.randomInput(seed, n * 28 * 28));
  }

  @Test
  void fetchesIntermediateActivationsByName() {
    List<String> relus = cnn.nodes().stream().filter(n -> n.op().startsWith("Relu"))
        .map(n -> n.output(0).name()).toList();
    assertEquals(2, relus.size(), "the CNN has a Relu and a Relu6: " + cnn.opHistogram());
    try (ReferenceRunner r = new ReferenceRunner(cnn, 1)) {
      Map<String, HostTensor> out = r.run(Map.of("images:0", batch(2, 1)), relus);
      assertEquals(relus, List.copyOf(out.keySet()));
      for (String name : relus) {
        Node n = cnn.node(name.substring(0, name.indexOf(':')));
        long[] expected = n.output(0).shape();
        expected[0] = 2;
        assertArrayEquals(expected, out.get(name).shape(), "static shape matches the run's, batch aside");
        for (float v : out.get(name).floats()) {
          assertTrue(v >= 0f && (!n.op().equals("Relu6") || v <= 6f), name + " value " + v);
        }
      }
    }
  }

  @Test
  void unknownTensorIsNamed() {
    try (ReferenceRunner r = new ReferenceRunner(cnn, 1)) {
      NoSuchElementException e = assertThrows(NoSuchElementException.class,
          () -> r.run(Map.of("images:0", batch(1, 1)), List.of("no/such/node:0")));
      assertTrue(e.getMessage().contains("no/such/node"), e.getMessage());
    }
  }

  /**
   * Thousands of batches in bounded native memory: every input and output tensor is closed. A leak of
   * the 2 x 28 x 28 input alone would be ~6 MB per 1,000 batches; activations would be far more.
   */
  @Test
  void doesNotLeakNativeMemoryOverThousandsOfBatches() {
    HostTensor x = batch(8, 3);
    List<String> fetches = cnn.nodes().stream().filter(n -> n.op().startsWith("Relu"))
        .map(n -> n.output(0).name()).toList();
    try (ReferenceRunner r = new ReferenceRunner(cnn, 1)) {
      for (int i = 0; i < 300; i++) {
        r.run(Map.of("images:0", x), fetches);
      }
      // Three windows of 1,000 batches; a leak grows every window (~220 MB each), while a one-off
      // allocation by another thread of the test JVM (S3 or Spark tests before this one) grows only one.
      long growth = Long.MAX_VALUE;
      for (int w = 0; w < 3; w++) {
        System.gc();
        long before = Pointer.physicalBytes();
        for (int i = 0; i < 1000; i++) {
          r.run(Map.of("images:0", x), fetches);
        }
        System.gc();
        growth = Math.min(growth, Pointer.physicalBytes() - before);
      }
      assertTrue(growth < 32L << 20, "resident memory grew by " + (growth >> 20) + " MB in every window of 1,000 batches");
    }
  }
}
