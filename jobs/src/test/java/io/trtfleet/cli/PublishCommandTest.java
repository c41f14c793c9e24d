package io.trtfleet.cli;

import static io.trtfleet.cli.InspectCommandTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trtfleet.cli.InspectCommandTest.Run;
import io.trtfleet.store.ContentDigest;
import io.trtfleet.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublishCommandTest {

  @TempDir
  Path tmp;

  private Path savedModel;
  private Path build;
  private String storeUri;

  @BeforeEach
  void files() throws IOException {
    savedModel = TestModels.mlp(tmp.resolve("model")); // publish refuses a model that does not parse
    build = tmp.resolve("build");
    write(build.resolve("engines/segment_0.plan"), "plan bytes");
    write(build.resolve("saved_model/saved_model.pb"), "converted graph");
    write(build.resolve("calibration/calibration.cache"), "TRT-100600-EntropyCalibration2");
    write(build.resolve("report/summary.txt"), "all converted");
    storeUri = tmp.resolve("store").toUri().toString();
  }

  private static void write(Path p, String text) throws IOException {
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  private Run publish(String modelName, String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("publish", "--store", storeUri, "--model-name", modelName,
        "--model", savedModel.toString(), "--device-key", "h100-80gb-hbm3.sm90", "--trt-version", "10.6.0",
        "--precision", "int8", "--from", build.toString()));
    args.addAll(List.of(extra));
    return cli(args.toArray(String[]::new));
  }

  @Test
  void publishThenListOverFileUri() throws Exception {
    Path validation = tmp.resolve("validation.json");
    Files.writeString(validation, "{\"max_abs_err\": 0.004, \"passed\": true}");
    Run p = publish("fashion-cnn", "--conf", "fs.file.impl.disable.cache=true", "--signature", "serving_default",
        "--validation", validation.toString());
    assertEquals(0, p.exit(), p.err());
    assertTrue(p.out().startsWith("published fashion-cnn@"), p.out());
    String digest = ContentDigest.ofSavedModel(savedModel);
    Path manifest = tmp.resolve("store/fashion-cnn/" + digest + "/trt-10.6.0/h100-80gb-hbm3.sm90/INT8/manifest.json");
    JsonNode m = new ObjectMapper().readTree(manifest.toFile());
    assertEquals(4, m.get("files").size());
    assertEquals("serving_default", m.get("signature").asText());
    assertTrue(m.get("validation").get("passed").asBoolean(), m.toString());
    assertEquals("engines/segment_0.plan", m.get("engines").get(0).get("file").asText());
    assertEquals("plan bytes", Files.readString(manifest.resolveSibling("engines/segment_0.plan")));

    Run again = publish("fashion-cnn");
    assertEquals(0, again.exit(), again.err());
    assertEquals(p.out(), again.out(), "a republish reports the same build");

    Run ls = cli("ls", "--store", storeUri);
    assertEquals(0, ls.exit(), ls.err());
    String[] lines = ls.out().split("\n");
    assertEquals(2, lines.length, ls.out());
    assertTrue(lines[0].startsWith("MODEL") && lines[0].contains("DIGEST"), lines[0]);
    List<String> cols = List.of(lines[1].trim().split("\\s+"));
    assertEquals(List.of("fashion-cnn", "h100-80gb-hbm3.sm90", "trt-10.6.0", "INT8", "ok"), cols.subList(0, 5));
    assertEquals(digest.substring(0, 12), cols.get(cols.size() - 1));

    Run one = cli("ls", "--store", storeUri, "--model", "other", "--rescan");
    assertEquals(0, one.exit(), one.err());
    assertTrue(one.out().endsWith("no builds of other in " + storeUri.replaceAll("/$", "") + "\n"), one.out());
  }

  @Test
  void badInputIsOneErrorLine() throws Exception {
    for (Run r : List.of(publish("../escape"), publish("a/b"), publish("_staging"),
        cli("ls", "--store", storeUri, "--model", ".."))) {
      assertEquals(Main.EXIT_BAD_INPUT, r.exit(), r.out() + r.err());
      assertTrue(r.err().startsWith("error: ") && r.err().strip().lines().count() == 1, r.err());
    }
    Files.writeString(tmp.resolve("bad.json"), "{not json");
    Run badJson = publish("cnn", "--benchmark", tmp.resolve("bad.json").toString());
    assertEquals(Main.EXIT_BAD_INPUT, badJson.exit(), badJson.err());
    assertTrue(badJson.err().startsWith("error: --benchmark") && badJson.err().strip().lines().count() == 1,
        badJson.err());
    Files.delete(savedModel.resolve("saved_model.pb"));
    Run noModel = publish("cnn");
    assertEquals(Main.EXIT_BAD_INPUT, noModel.exit());
    assertTrue(noModel.err().contains("saved_model.pb"), noModel.err());
    assertFalse(Files.exists(tmp.resolve("store/escape")));

    Files.writeString(savedModel.resolve("saved_model.pb"), "truncated");
    Run truncated = publish("cnn");
    assertEquals(Main.EXIT_BAD_INPUT, truncated.exit());
    assertTrue(truncated.err().contains("truncated or not a SavedModel"), truncated.err());
    Run missingStore = cli("ls", "--store", tmp.resolve("no-such-store").toUri().toString());
    assertEquals(Main.EXIT_BAD_INPUT, missingStore.exit());
    assertTrue(missingStore.err().contains("does not exist"), missingStore.err());
    assertFalse(Files.exists(tmp.resolve("store")), "nothing was published by any of these");
  }
}
