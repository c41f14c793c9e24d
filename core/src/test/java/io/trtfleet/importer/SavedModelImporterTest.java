package io.trtfleet.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.graph.Signature;
import io.trtfleet.reference.ReferenceRunner;
import io.trtfleet.testing.Fixtures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SavedModelImporterTest {

  private static ImportedModel load(String fixture, String signature) {
    return SavedModelImporter.importModel(
        ImportOptions.builder(Fixtures.servingModel(fixture)).signature(signature).build());
  }

  private static float[] halfPlusTwo(FrozenGraph g, float... xs) {
    try (ReferenceRunner r = new ReferenceRunner(g)) {
      String in = g.signature().inputs().get(0).key();
      HostTensor x = HostTensor.ofFloats(new long[] {xs.length, 1}, xs);
      if (g.signature().inputs().get(0).tensor().rank() == 1) {
        x = HostTensor.ofFloats(new long[] {xs.length}, xs);
      }
      return r.runSignature(Map.of(in, x)).values().iterator().next().floats();
    }
  }

  @Test
  void tf1ModelFreezesToHalfPlusTwo() {
    ImportedModel m = load("saved_model_half_plus_two_cpu", "serving_default");
    List<String> keys = m.signatures().stream().map(Signature::key).toList();
    assertEquals(List.of("classify_x_to_y", "regress_x2_to_y3", "regress_x_to_y", "regress_x_to_y2",
        "serving_default"), keys);
    FrozenGraph g = m.graph();
    assertEquals(2, g.variablesFrozen(), "a and b are frozen, c is not needed");
    assertEquals(Map.of("Placeholder", 1, "Const", 2, "Mul", 1, "Add", 1, "Identity", 1), g.opHistogram());
    assertArrayEquals(new float[] {2f, 2.5f, 4f}, halfPlusTwo(g, 0f, 1f, 4f));
    assertArrayEquals(new long[] {-1, 1}, g.node("y").output(0).shape());
  }

  @Test
  void tf2ModelInlinesFunctionsAndFreezesResourceVariables() {
    FrozenGraph g = load("saved_model_half_plus_two_tf2_cpu", "serving_default").graph();
    assertEquals(2, g.variablesFrozen());
    assertTrue(g.opHistogram().keySet().stream().noneMatch(op -> op.contains("Call") || op.contains("Variable")),
        "no calls or variables left: " + g.opHistogram());
    assertEquals(Map.of("Placeholder", 1, "Const", 2, "Mul", 1, "AddV2", 1, "Identity", 1), g.opHistogram());
    assertArrayEquals(new float[] {3f}, halfPlusTwo(g, 2f));
  }

  @Test
  void gpuPinnedModelImportsOnCpu() {
    FrozenGraph g = load("saved_model_half_plus_two_gpu_trt", "serving_default").graph();
    assertTrue(g.nodes().stream().allMatch(n -> n.def().getDevice().isEmpty()));
    assertArrayEquals(new float[] {2.5f, 7f}, halfPlusTwo(g, 1f, 10f));
  }

  @Test
  void oneDnnModelImports() {
    FrozenGraph g = load("saved_model_half_plus_two_mkl", "serving_default").graph();
    assertArrayEquals(new float[] {2.5f}, halfPlusTwo(g, 1f));
  }

  @Test
  void counterWithoutServingDefaultNamesItsSignatures() {
    ImportException e = org.junit.jupiter.api.Assertions.assertThrows(ImportException.class,
        () -> load("saved_model_counter", "serving_default"));
    assertTrue(e.getMessage().contains("available signatures are get_counter, incr_counter, incr_counter_by,"
        + " reset_counter"), e.getMessage());
    ImportException writes = org.junit.jupiter.api.Assertions.assertThrows(ImportException.class,
        () -> load("saved_model_counter", "incr_counter"));
    assertTrue(writes.getMessage().contains("changes a variable"), writes.getMessage());
    FrozenGraph g = load("saved_model_counter", "get_counter").graph();
    assertEquals(Map.of("Const", 1), g.opHistogram());
  }
}
