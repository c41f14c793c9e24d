package io.trtfleet.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.graph.TensorSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;

class SegmenterTest {

  private static SegmentedGraph segment(FrozenGraph g, SegmenterOptions options) {
    SegmentedGraph s = new Segmenter(options).segment(g);
    assertQuotientIsAcyclic(s);
    return s;
  }

  private static SegmentedGraph segment(FrozenGraph g) {
    return segment(g, SegmenterOptions.defaults());
  }

  private static List<List<String>> nodes(SegmentedGraph s) {
    return s.segments().stream().map(Segment::nodes).toList();
  }

  private static String reason(SegmentedGraph s, String node) {
    return s.notConverted().stream().filter(r -> r.node().equals(node)).findFirst().orElseThrow().reason();
  }

  /** x -> ops... -> out, each op reading the previous one. */
  private static TestGraph chain(String... ops) {
    TestGraph g = new TestGraph().input("x");
    String prev = "x";
    for (int i = 0; i < ops.length; i++) {
      String name = ops[i].toLowerCase() + i;
      g.op(name, ops[i], prev);
      prev = name;
    }
    return g.output("out", prev);
  }

  @Test
  void chainBecomesOneEngineWithItsBoundaryTensors() {
    SegmentedGraph s = segment(chain("Relu", "Sigmoid", "Tanh").build());
    assertEquals(1, s.segments().size());
    Segment e = s.segments().get(0);
    assertEquals("TRTEngineOp_000_000", e.name());
    assertEquals(List.of("relu0", "sigmoid1", "tanh2"), e.nodes());
    assertEquals(List.of(new TensorSpec("x:0", DataType.DT_FLOAT, new long[] {-1, 8})), e.inputs());
    assertEquals(List.of(new TensorSpec("tanh2:0", DataType.DT_FLOAT, new long[] {-1, 8})), e.outputs());
    assertEquals(3, s.convertedNodes());
    assertEquals(5, s.totalNodes());
    assertEquals(3, s.convertibleNodes());
    assertEquals("signature input (stays in TensorFlow, feeds the engines)", reason(s, "x"));
    assertEquals("signature output (never part of a segment)", reason(s, "out"));
  }

  /**
   * x -> a -> b(unsupported) -> d; a -> c -> d -> e. Merging a with {c, d, e} would put b on a path
   * that leaves the engine and comes back: a cycle. TF-TRT keeps a apart.
   */
  @Test
  void diamondWithUnsupportedBranchNeverCreatesCycle() {
    FrozenGraph g = new TestGraph().input("x")
        .op("a", "Relu", "x")
        .op("b", "Sin", "a")
        .op("c", "Relu", "a")
        .op("d", "AddV2", "b", "c")
        .op("e", "Relu", "d")
        .output("out", "e").build();
    SegmentedGraph s = segment(g, SegmenterOptions.builder().minimumSegmentSize(1).build());
    assertEquals(List.of(List.of("a"), List.of("c", "d", "e")), nodes(s));
    assertEquals("no converter", reason(s, "b"));
    Segment cde = s.segments().get(1);
    assertEquals(List.of("a:0", "b:0"), cde.inputs().stream().map(TensorSpec::name).toList());
    assertEquals(List.of("a:0"), s.segments().get(0).outputs().stream().map(TensorSpec::name).toList());
  }

  /** The same diamond where the unsupported node is the merge point: both branches may join a. */
  @Test
  void diamondWithUnsupportedJoinMergesTheBranches() {
    FrozenGraph g = new TestGraph().input("x")
        .op("a", "Relu", "x")
        .op("b", "Relu", "a")
        .op("c", "Tanh", "a")
        .op("d", "Atan2", "b", "c")
        .output("out", "d").build();
    SegmentedGraph s = segment(g);
    assertEquals(List.of(List.of("a", "b", "c")), nodes(s));
    assertEquals(List.of("b:0", "c:0"), s.segments().get(0).outputs().stream().map(TensorSpec::name).toList());
  }

  @Test
  void minimumSegmentSizeDropsSmallSegmentsAndIgnoresIdentities() {
    FrozenGraph g = chain("Relu", "Identity", "Sigmoid").build();
    SegmentedGraph byDefault = segment(g);
    assertTrue(byDefault.segments().isEmpty());
    assertEquals("Relu: in a segment of 2 effective node(s), fewer than minimum_segment_size 3",
        reason(byDefault, "relu0"));
    SegmentedGraph two = segment(g, SegmenterOptions.builder().minimumSegmentSize(2).build());
    assertEquals(List.of(List.of("relu0", "identity1", "sigmoid2")), nodes(two));
  }

  @Test
  void denylistSplitsSegmentsAsTfTrtDoes() {
    FrozenGraph g = chain("Relu", "Relu", "Relu", "Tanh", "Relu", "Relu", "Relu").build();
    assertEquals(1, segment(g).segments().size());
    SegmentedGraph denied = segment(g, SegmenterOptions.builder().denylist("Tanh").build());
    assertEquals(List.of(List.of("relu0", "relu1", "relu2"), List.of("relu4", "relu5", "relu6")), nodes(denied));
    assertEquals(List.of("TRTEngineOp_000_000", "TRTEngineOp_000_001"),
        denied.segments().stream().map(Segment::name).toList());
    assertEquals("Tanh: in the op denylist", reason(denied, "tanh3"));
    SegmentedGraph deniedAndLarger = segment(g,
        SegmenterOptions.builder().denylist("Tanh").minimumSegmentSize(4).build());
    assertTrue(deniedAndLarger.segments().isEmpty());
  }

  @Test
  void maximumEnginesKeepsTheLargestSegments() {
    FrozenGraph g = chain("Relu", "Relu", "Relu", "Sin", "Elu", "Elu", "Elu", "Elu", "Elu", "Sin",
        "Tanh", "Tanh", "Tanh", "Tanh").build();
    SegmentedGraph all = segment(g);
    assertEquals(List.of(3, 5, 4), all.segments().stream().map(x -> x.nodes().size()).toList());
    SegmentedGraph two = segment(g, SegmenterOptions.builder().maximumEngines(2).build());
    assertEquals(List.of(5, 4), two.segments().stream().map(x -> x.nodes().size()).toList());
    assertEquals("elu4", two.segment("TRTEngineOp_000_000").nodes().get(0));
    assertEquals("Relu: in a segment of 3 nodes beyond maximum_engines 2 (the largest are kept)",
        reason(two, "relu0"));
  }

  @Test
  void constantReadOutsideIsCopiedIntoTheEngine() {
    FrozenGraph g = new TestGraph().input("x").constant("c", 8)
        .op("a", "AddV2", "x", "c")
        .op("r", "Relu", "a")
        .op("s", "Sigmoid", "r")
        .op("n", "Sin", "c")
        .output("out", "s").output("out2", "n").build();
    SegmentedGraph s = segment(g);
    assertEquals(1, s.segments().size());
    Segment e = s.segments().get(0);
    assertEquals(List.of("c", "a", "r", "s"), e.nodes());
    assertEquals(List.of("c"), s.copiedConstants(e.name()));
    assertEquals(List.of("a", "r", "s"), s.ownedNodes(e));
    assertEquals(List.of("x:0"), e.inputs().stream().map(TensorSpec::name).toList());
    assertTrue(reason(s, "c").startsWith("Const: also read outside the segment"), reason(s, "c"));
    assertEquals(3, s.convertedNodes());
  }

  @Test
  void segmentWithoutInputsIsLeftToConstantFolding() {
    FrozenGraph g = new TestGraph().input("x").constant("c", 1, 8)
        .op("r", "Relu", "c").op("s", "Sigmoid", "r").op("t", "Tanh", "s")
        .op("n", "Sin", "t")
        .op("a", "Atan2", "x", "n")
        .output("out", "a").build();
    SegmentedGraph s = segment(g);
    assertTrue(s.segments().isEmpty());
    assertEquals("Relu: in a segment without inputs (constant-foldable, left to TensorFlow)", reason(s, "r"));
  }

  @Test
  void alreadyConvertedEngineIsReportedNotConverted() {
    NodeDef trt = NodeDef.newBuilder().setName("TRTEngineOp_0").setOp("TRTEngineOp").addInput("x")
        .putAttr("InT", AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder()
            .addType(DataType.DT_FLOAT)).build())
        .putAttr("OutT", AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder()
            .addType(DataType.DT_FLOAT)).build()).build();
    FrozenGraph g = new TestGraph().input("x")
        .node(trt, new TensorSpec("TRTEngineOp_0:0", DataType.DT_FLOAT, new long[] {-1, 8}))
        .op("r", "Relu", "TRTEngineOp_0").op("s", "Sigmoid", "r").op("t", "Tanh", "s")
        .output("out", "t").build();
    SegmentedGraph s = segment(g);
    assertEquals(List.of(List.of("r", "s", "t")), nodes(s));
    assertEquals("already converted (a TF-TRT engine, kept as is)", reason(s, "TRTEngineOp_0"));
  }

  @Test
  void minusOneTurnsConversionOff() {
    SegmentedGraph s = segment(chain("Relu", "Relu", "Relu").build(),
        SegmenterOptions.builder().minimumSegmentSize(-1).build());
    assertTrue(s.segments().isEmpty());
    assertEquals("conversion disabled (minimum_segment_size -1)", reason(s, "relu0"));
  }

  @Test
  void staticShapesRejectUnknownNonBatchDimensions() {
    TestGraph g = new TestGraph().input("x", -1, -1);
    g.op("r", "Relu", "x").op("s", "Sigmoid", "r").op("t", "Tanh", "s").output("out", "t");
    SegmentedGraph fixed = segment(g.build(), SegmenterOptions.builder().shapes(ShapeMode.STATIC).build());
    assertTrue(fixed.segments().isEmpty());
    assertEquals("Relu: input 0 x:0 has shape [-1,-1]: unknown non-batch dimension 1 needs dynamic shapes",
        reason(fixed, "r"));
    SegmentedGraph batchOnly = segment(g.build(), SegmenterOptions.builder().shapes(ShapeMode.DYNAMIC_BATCH).build());
    assertTrue(batchOnly.segments().isEmpty());
    assertEquals("Relu: segment input x:0 has shape [-1,-1]: only its first dimension may be unknown for an engine"
        + " built from batch sizes (shapes dynamic-batch; --shapes dynamic takes it)", reason(batchOnly, "r"));
    assertEquals(1, segment(g.build(), SegmenterOptions.builder().dynamicShapes(true).build()).segments().size());
  }

  /** Random DAGs of supported and unsupported ops: segments never form a cycle and do not change. */
  @Test
  void randomGraphsGiveAcyclicDeterministicSegments() {
    Random random = new Random(7);
    for (int round = 0; round < 40; round++) {
      FrozenGraph g = randomGraph(random, 150);
      SegmentedGraph first = segment(g, SegmenterOptions.builder().minimumSegmentSize(1).maximumEngines(1000)
          .build());
      SegmentedGraph again = new Segmenter(SegmenterOptions.builder().minimumSegmentSize(1).maximumEngines(1000)
          .build()).segment(g);
      assertEquals(first.segments(), again.segments());
      for (Segment s : first.segments()) {
        for (String n : first.ownedNodes(s)) {
          assertFalse(g.node(n).op().equals("Sin"), n + " is unsupported but in " + s.name());
        }
      }
    }
  }

  static FrozenGraph randomGraph(Random random, int size) {
    TestGraph g = new TestGraph().input("x");
    List<String> names = new ArrayList<>(List.of("x"));
    for (int i = 0; i < size; i++) {
      String name = "n" + i;
      String a = names.get(Math.max(0, names.size() - 1 - random.nextInt(Math.min(names.size(), 12))));
      String b = names.get(random.nextInt(names.size()));
      switch (random.nextInt(4)) {
        case 0 -> g.op(name, "Sin", a);
        case 1 -> g.op(name, "AddV2", a, b);
        case 2 -> g.op(name, "Atan2", a, b);
        default -> g.op(name, "Relu", a);
      }
      names.add(name);
    }
    return g.output("out", names.get(names.size() - 1)).build();
  }

  /**
   * Collapses every segment into one node and checks that the graph that results (the graph
   * TensorFlow runs once engines replace segments) has no cycle.
   */
  static void assertQuotientIsAcyclic(SegmentedGraph s) {
    FrozenGraph g = s.graph();
    Map<String, Set<String>> edges = new HashMap<>();
    Map<String, Integer> indegree = new HashMap<>();
    for (Node n : g.nodes()) {
      String to = s.ownerOf(n.name()).orElse(n.name());
      indegree.putIfAbsent(to, 0);
      for (TensorRef in : n.dataInputs()) {
        String from = s.ownerOf(in.node()).orElse(in.node());
        if (!from.equals(to) && edges.computeIfAbsent(from, k -> new HashSet<>()).add(to)) {
          indegree.merge(to, 1, Integer::sum);
        }
      }
    }
    ArrayDeque<String> ready = indegree.entrySet().stream().filter(e -> e.getValue() == 0).map(Map.Entry::getKey)
        .collect(Collectors.toCollection(ArrayDeque::new));
    int seen = 0;
    while (!ready.isEmpty()) {
      String u = ready.pop();
      seen++;
      for (String v : edges.getOrDefault(u, Set.of())) {
        if (indegree.merge(v, -1, Integer::sum) == 0) {
          ready.add(v);
        }
      }
    }
    assertEquals(indegree.size(), seen, "the graph with segments collapsed has a cycle");
  }
}
