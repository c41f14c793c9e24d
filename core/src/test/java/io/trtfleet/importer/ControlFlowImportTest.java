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
