package io.trtfleet.segment;

import io.trtfleet.graph.FrozenGraph;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Segmentation time of a generated 10,000-node graph (docs/benchmarks/segmentation.md). Run with
 *
 * <pre>
 * mvn -q -o -pl core test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.trtfleet.segment.SegmentationBench [-Dexec.args="10000 15"]
 * </pre>
 *
 * Prints the median and minimum of the timed runs (after warm-up runs) and the segments found.
 */
public final class SegmentationBench {

  private SegmentationBench() {}

  public static void main(String[] args) {
    int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    FrozenGraph graph = generate(nodes, 42);
    Segmenter segmenter = new Segmenter(SegmenterOptions.defaults());
    SegmentedGraph result = null;
    for (int i = 0; i < 5; i++) {
      result = segmenter.segment(graph);
    }
    long[] millis = new long[runs];
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      result = segmenter.segment(graph);
      millis[i] = (System.nanoTime() - start) / 1_000_000;
    }
    Arrays.sort(millis);
    System.out.printf(Locale.ROOT, "graph: %d nodes (%d unsupported), %d engines, %d ops converted%n",
        graph.nodes().size(), graph.nodes().stream().filter(n -> !OpSupport.get().hasConverter(n.op())).count(),
        result.segments().size(), result.convertedNodes());
    System.out.printf(Locale.ROOT, "segmentation over %d runs: median %d ms, min %d ms, max %d ms%n", runs,
        millis[runs / 2], millis[0], millis[runs - 1]);
  }

  /**
   * A network-like graph of {@code size} nodes: chains of element-wise ops and activations with
   * residual adds reaching back up to 40 nodes, Consts as second operands, every 9th op one that
   * TensorRT cannot run (so segments are split and cycles are tempted), and one long skip edge in 50.
   */
  static FrozenGraph generate(int size, long seed) {
    Random random = new Random(seed);
    TestGraph g = new TestGraph().input("x");
    List<String> names = new ArrayList<>(List.of("x"));
    int count = 1;
    String[] unary = {"Relu", "Sigmoid", "Tanh", "Elu", "Identity"};
    String[] binary = {"AddV2", "Mul", "Sub", "Maximum"};
    while (count < size - 1) {
      String prev = names.get(names.size() - 1);
      String name = "n" + count;
      int kind = random.nextInt(9);
      if (kind == 0) {
        g.op(name, random.nextBoolean() ? "Sin" : "TopKV2", prev);
      } else if (kind <= 4) {
        g.op(name, unary[random.nextInt(unary.length)], prev);
      } else if (kind <= 6 && count < size - 2) {
        String c = "c" + count;
        g.constant(c, 8);
        count++;
        g.op(name, binary[random.nextInt(binary.length)], prev, c);
      } else {
        int back = random.nextInt(50) == 0 ? random.nextInt(names.size()) : Math.min(names.size() - 1,
            1 + random.nextInt(40));
        String other = random.nextInt(50) == 0 ? names.get(back) : names.get(names.size() - 1 - back);
        g.op(name, binary[random.nextInt(binary.length)], prev, other);
      }
      names.add(name);
      count++;
    }
    return g.output("out", names.get(names.size() - 1)).build();
  }
}
