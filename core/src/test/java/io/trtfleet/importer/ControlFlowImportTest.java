package io.trtfleet.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.graph.Node;
import io.trtfleet.reference.ReferenceRunner;
import io.trtfleet.segment.SegmentedGraph;
import io.trtfleet.segment.Segmenter;
import io.trtfleet.segment.SegmenterOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.DataType;

/**
 * Functional control flow stays one node with its functions in the graph's library, and a variable its
 * functions read through an argument is frozen too; writers are refused, an untagged MetaGraph can be
 * chosen.
 */
class ControlFlowImportTest {

  @TempDir static Path tmp;
  private static Path model;

  @BeforeAll
  static void write() throws Exception {
    model = ControlFlowModel.write(tmp.resolve("control_flow"));
  }

  private static float[] input(int rows) {
    float[] x = new float[rows * (int) ControlFlowModel.HIDDEN];
    Random r = new Random(3);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }

  private static HostTensor flag(boolean value) {
    return new HostTensor(DataType.DT_BOOL, new long[0], new byte[] {(byte) (value ? 1 : 0)});
  }

  @Test
  void loopAndBranchStayNativeWithTheVariableTheyReadFrozen() {
    FrozenGraph g = SavedModelImporter.importModel(ImportOptions.of(model)).graph();
    assertEquals(1, g.variablesFrozen());
    assertTrue(g.nodes().stream().noneMatch(n -> n.op().equals("VarHandleOp")), g.opHistogram()::toString);
    Node loop = g.node("loop");
    assertEquals("StatelessWhile", loop.op());
    assertEquals("U/frozen", loop.dataInputs().get(2).node(), "the loop takes the variable's value");
    assertEquals(DataType.DT_FLOAT, loop.def().getAttrMap().get("T").getList().getType(2));
    var functions = g.graphDef().getLibrary().getFunctionList().stream().map(f -> f.getSignature().getName()).toList();
    assertTrue(functions.contains("body_trtfleet_frozen_2") && functions.contains("project_trtfleet_frozen_1"),
        functions::toString);
    assertFalse(functions.contains("body"), "functions no node calls are left out: " + functions);

    float[] x = input(5);
    try (ReferenceRunner tf = new ReferenceRunner(g, 1)) {
      HostTensor xs = HostTensor.ofFloats(new long[] {5, ControlFlowModel.HIDDEN}, x);
      Map<String, HostTensor> yes = tf.runSignature(Map.of("x", xs, "flag", flag(true)));
      assertArrayEquals(ControlFlowModel.rnn(x), yes.get("rnn").floats(), 1e-5f);
      assertArrayEquals(ControlFlowModel.matmul(x, ControlFlowModel.weights()), yes.get("cond").floats(), 1e-5f);
      float[] negated = tf.runSignature(Map.of("x", xs, "flag", flag(false))).get("cond").floats();
      for (int i = 0; i < x.length; i++) {
        assertEquals(-x[i], negated[i]);
      }
    }
  }

  /**
   * A graph-mode tf.while_loop (Enter, Merge, Switch, NextIteration, Exit; body constants tied to the loop by
   * control edges) between two parts that convert: imported as it is, run by TensorFlow as the SavedModel
   * runs, never segmented; what feeds it converts and verifies.
   */
  @Test
  void tf1WhileLoopStaysAsItIsAndWhatFeedsItConverts() throws Exception {
    Path dir = tmp.resolve("tf1_loop");
    try (org.tensorflow.Graph graph = new org.tensorflow.Graph()) {
      org.tensorflow.op.Ops tf = org.tensorflow.op.Ops.create(graph);
      var x = tf.withName("x").placeholder(org.tensorflow.types.TFloat32.class,
          org.tensorflow.op.core.Placeholder.shape(org.tensorflow.ndarray.Shape.of(-1, 4)));
      float[][] identity = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
      org.tensorflow.Operand<org.tensorflow.types.TFloat32> pre = tf.math.tanh(tf.math.add(
          tf.linalg.matMul(x, tf.constant(identity)), tf.constant(0.5f)));
      float[][] half = {{0.5f, 0.1f, 0, 0}, {0, 0.5f, 0, 0}, {0, 0, 0.5f, 0}, {0, 0, 0.2f, 0.5f}};
      org.tensorflow.Output<?>[] out = graph.whileLoop(new org.tensorflow.Output<?>[] {tf.constant(0).asOutput(),
          pre.asOutput()},
          (g, in, o) -> o[0] = org.tensorflow.op.Ops.create(g).math.less(cast(in[0]), org.tensorflow.op.Ops.create(g)
              .constant(3)).asOutput(),
          (g, in, o) -> {
            org.tensorflow.op.Ops b = org.tensorflow.op.Ops.create(g);
            o[0] = b.math.add(cast(in[0]), b.constant(1)).asOutput();
            o[1] = b.math.tanh(b.linalg.matMul(floats(in[1]), b.constant(half))).asOutput();
          }, "loop");
      var y = tf.withName("y").identity(tf.math.mul(floats(out[1]), tf.constant(2f)));
      java.nio.file.Files.createDirectories(dir);
      try (org.tensorflow.Session session = new org.tensorflow.Session(graph)) {
        org.tensorflow.SavedModelBundle.exporter(dir.toString()).withTags("serve").withSession(session)
            .withSignature(org.tensorflow.Signature.builder().key("serving_default").input("x", x).output("y", y)
                .build()).export();
      }
    }
    FrozenGraph g = SavedModelImporter.importModel(ImportOptions.of(dir)).graph();
    assertEquals(2, g.opHistogram().get("NextIteration"));
    float[] x = input(3);
    float[] expected;
    try (org.tensorflow.SavedModelBundle bundle = org.tensorflow.SavedModelBundle.load(dir.toString(), "serve");
        var in = org.tensorflow.types.TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(3, 4),
            org.tensorflow.ndarray.buffer.DataBuffers.of(x));
        var result = bundle.session().runner().feed("x", in).fetch("y").run()) {
      expected = ReferenceRunner.toHost(result.get(0)).floats();
    }
    try (ReferenceRunner tf = new ReferenceRunner(g, 1)) {
      assertArrayEquals(expected, tf.runSignature(Map.of("x", HostTensor.ofFloats(new long[] {3, 4}, x)))
          .get("y").floats(), 1e-6f);
    }
    SegmentedGraph s = new Segmenter(SegmenterOptions.defaults()).segment(g);
    assertEquals("inside TF1 control flow (a graph-mode loop or cond runs in TensorFlow)", s.notConverted().stream()
        .filter(r -> r.op().equals("NextIteration")).findFirst().orElseThrow().reason());
    assertEquals(1, s.segments().size(), "MatMul, Add, Tanh before the loop");
    var conversions = io.trtfleet.verify.SegmentVerification.convert(s, io.trtfleet.convert.ConversionOptions.fp32());
    var verified = io.trtfleet.verify.SegmentVerification.verify(g, conversions,
        io.trtfleet.verify.RandomInputs.of(g, 1).batches(6, 3), 1);
    assertTrue(verified.relativeRmsError(s.segments().get(0).name()) < 1e-6, verified::toString);
  }

  @SuppressWarnings("unchecked")
  private static org.tensorflow.Operand<org.tensorflow.types.TInt32> cast(org.tensorflow.Output<?> o) {
    return (org.tensorflow.Operand<org.tensorflow.types.TInt32>) o;
  }

  @SuppressWarnings("unchecked")
  private static org.tensorflow.Operand<org.tensorflow.types.TFloat32> floats(org.tensorflow.Output<?> o) {
    return (org.tensorflow.Operand<org.tensorflow.types.TFloat32>) o;
  }

  @Test
  void controlFlowIsNativeInSegmentation() {
    FrozenGraph g = SavedModelImporter.importModel(ImportOptions.of(model)).graph();
    SegmentedGraph s = new Segmenter(SegmenterOptions.defaults()).segment(g);
    assertEquals("no converter", s.notConverted().stream().filter(r -> r.node().equals("loop")).findFirst()
        .orElseThrow().reason());
  }

  @Test
  void aSignatureThatWritesAVariableThroughAControlDependencyIsRefused() {
    ImportException e = assertThrows(ImportException.class, () -> SavedModelImporter.importModel(
        ImportOptions.builder(model).signature("train").build()));
    assertEquals("signature 'train' changes a variable (node 'update', AssignAddVariableOp): it is not an inference"
        + " graph and cannot be frozen; choose a signature that only reads", e.getMessage());
  }

  @Test
  void theMetaGraphWithoutTagsIsSelectedByAnEmptyTagSet() {
    FrozenGraph g = SavedModelImporter.importModel(ImportOptions.builder(model).tags("").signature("module").build())
        .graph();
    assertEquals("module", g.signature().key());
    ImportException e = assertThrows(ImportException.class, () -> SavedModelImporter.importModel(
        ImportOptions.builder(model).tags("train").build()));
    assertTrue(e.getMessage().contains("available tag sets are [serve], []; pass --tags with one of them (--tags \"\""
        + " for the empty set)"), e.getMessage());
    // Two MetaGraphs: the defaults are not guessed.
    assertEquals(ImportOptions.of(model), SavedModelReader.resolveDefaults(ImportOptions.of(model)));
  }

}
