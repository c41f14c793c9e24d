package io.trtfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trtfleet.testing.Fixtures;
import io.trtfleet.testing.TestModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class InspectCommandTest {

  record Run(int exit, String out, String err) {}

  static Run cli(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void jsonHasTheDocumentedKeys() throws Exception {
    Path model = Fixtures.servingModel("saved_model_half_plus_two_tf2_cpu");
    Run r = cli("inspect", "--model", model.toString(), "--json");
    assertEquals(0, r.exit(), r.err());
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertEquals(6, json.get("signatures").size());
    JsonNode serving = null;
    for (JsonNode s : json.get("signatures")) {
      if (s.get("name").asText().equals("serving_default")) {
        serving = s;
      }
    }
    assertEquals("x", serving.get("inputs").get(0).get("name").asText());
    assertEquals("float", serving.get("inputs").get(0).get("dtype").asText());
    assertEquals("[1]", serving.get("inputs").get(0).get("shape").toString());
    assertEquals(6, json.get("nodes").asInt());
    assertEquals(2, json.get("variables_frozen").asInt());
    assertEquals(1, json.get("ops").get("Mul").asInt());
  }

  @Test
  void textShowsSignaturesShapesAndOps(@TempDir Path tmp) {
    Path model = TestModels.cnn(tmp.resolve("cnn"));
    Run r = cli("inspect", "--model", model.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("images:0") && r.out().contains("[-1,28,28,1]"), r.out());
    assertTrue(r.out().contains("Conv2D") && r.out().contains("FusedBatchNormV3"), r.out());
    assertTrue(r.out().contains("9 variables frozen"), r.out());
  }

  @Test
  void aModelWithoutServingDefaultIsListedNotRefused() throws Exception {
    Path model = Fixtures.servingModel("saved_model_counter");
    Run r = cli("inspect", "--model", model.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("tags [serve]  [selected]") && r.out().contains("    get_counter\n")
        && r.out().contains("    incr_counter_by\n"), r.out());
    assertTrue(r.out().contains("Not imported: signature 'serving_default' not found"), r.out());
    JsonNode json = new ObjectMapper().readTree(cli("inspect", "--model", model.toString(), "--json").out());
    assertEquals("serve", json.get("metagraphs").get(0).get("tags").get(0).asText());
    assertEquals(4, json.get("metagraphs").get(0).get("signatures").size());
    assertTrue(json.get("not_imported").asText().contains("available signatures are get_counter"), json.toString());
  }

  @Test
  void badInputIsOneErrorLineAndExitTwo() {
    Path model = Fixtures.servingModel("saved_model_counter");
    Run r = cli("inspect", "--model", model.toString(), "--signature", "incr_counter");
    assertEquals(Main.EXIT_BAD_INPUT, r.exit());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("error: signature 'incr_counter' changes a variable (node 'incr_counter_op/AssignAdd',"
        + " AssignAdd)"), r.err());
  }
}
