package io.trtfleet.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of broken input gives one clear line that names the input and says what to do. */
class BadSavedModelTest {

  @TempDir
  Path tmp;

  private static String failure(Path dir, String signature, String tags) {
    ImportException e = assertThrows(ImportException.class, () -> SavedModelImporter.importModel(
        ImportOptions.builder(dir).signature(signature).tags(tags).build()));
    assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
    return e.getMessage();
  }

  private Path copyOf(String fixture) {
    return Fixtures.copyTree(Fixtures.servingModel(fixture), tmp.resolve(fixture));
  }

  @Test
  void missingDirectory() {
    String msg = failure(tmp.resolve("nope"), "serving_default", "serve");
    assertTrue(msg.contains(tmp.resolve("nope").toString()) && msg.contains("does not exist"), msg);
  }

  @Test
  void missingSavedModelFile() throws Exception {
    Files.createDirectories(tmp.resolve("empty"));
    String msg = failure(tmp.resolve("empty"), "serving_default", "serve");
    assertTrue(msg.startsWith("no saved_model.pb in " + tmp.resolve("empty")), msg);
  }

  @Test
  void truncatedSavedModelFile() throws Exception {
    Path dir = copyOf("saved_model_half_plus_two_cpu");
    Path pb = dir.resolve("saved_model.pb");
    byte[] bytes = Files.readAllBytes(pb);
    Files.write(pb, java.util.Arrays.copyOf(bytes, bytes.length / 3));
    String msg = failure(dir, "serving_default", "serve");
    assertTrue(msg.contains(pb.toString()) && msg.contains("truncated"), msg);
  }

  @Test
  void unknownTagSetListsTheAvailableOnes() {
    String msg = failure(Fixtures.servingModel("saved_model_half_plus_two_cpu"), "serving_default", "serve,gpu");
    assertTrue(msg.contains("no MetaGraph with tags [gpu,serve]") && msg.contains("available tag sets are [serve]"), msg);
  }

  @Test
  void unknownSignatureListsTheAvailableOnes() {
    String msg = failure(Fixtures.servingModel("saved_model_half_plus_two_tf2_cpu"), "predict", "serve");
    assertTrue(msg.contains("signature 'predict' not found"), msg);
    assertTrue(msg.contains("classify_x2_to_y3, classify_x_to_y, regress_x2_to_y3, regress_x_to_y,"
        + " regress_x_to_y2, serving_default"), msg);
    assertTrue(!msg.contains("__saved_model_init_op"), "the init op is no signature: " + msg);
  }

  @Test
  void missingVariablesShard() throws Exception {
    Path dir = copyOf("saved_model_half_plus_two_cpu");
    Files.delete(dir.resolve("variables/variables.data-00000-of-00001"));
    String msg = failure(dir, "serving_default", "serve");
    assertTrue(msg.contains("variables") && msg.contains(dir.resolve("variables").toString()), msg);
  }

  @Test
  void missingVariablesIndex() throws Exception {
    Path dir = copyOf("saved_model_half_plus_two_tf2_cpu");
    Files.delete(dir.resolve("variables/variables.index"));
    String msg = failure(dir, "serving_default", "serve");
    assertTrue(msg.contains("variables.index is missing"), msg);
  }

  @Test
  void controlFlowWithoutItsFunctionsIsNamed() throws Exception {
    Path dir = CraftedModels.withWhileLoop(tmp.resolve("while"));
    String msg = failure(dir, "serving_default", "serve");
    assertTrue(msg.startsWith("node 'loop' (StatelessWhile) calls function 'body' (attribute body), which is not"
        + " in the SavedModel's function library"), msg);
  }
}
