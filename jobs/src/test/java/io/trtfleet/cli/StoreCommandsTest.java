package io.trtfleet.cli;

import static io.trtfleet.cli.InspectCommandTest.cli;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.cli.InspectCommandTest.Run;
import io.trtfleet.store.ContentDigest;
import io.trtfleet.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** publish, ls and fetch as an operator and a consumer meet them: damaged builds, odd roots, file:// URIs. */
class StoreCommandsTest {

  @TempDir
  Path tmp;

  private Path model;
  private Path build;
  private Path root;

  @BeforeEach
  void files() throws IOException {
    model = TestModels.mlp(tmp.resolve("model"));
    build = tmp.resolve("build");
    write(build.resolve("engines/segment_0.plan"), "plan bytes of some length");
    write(build.resolve("report/summary.txt"), "all converted");
    root = tmp.resolve("store");
  }

  private static void write(Path p, String text) throws IOException {
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  private static void assertOneLine(Run r, int exit, String expected) {
    assertEquals(exit, r.exit(), r.out() + r.err());
    assertTrue(r.err().startsWith("error: ") && r.err().strip().lines().count() == 1, r.err());
    assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
  }

  private Run publish(String device, String... extra) {
    List<String> args = new ArrayList<>(List.of("publish", "--store", "file://" + root, "--model-name", "mlp",
        "--model", "file://" + model, "--device-key", device, "--backend", "trt-10.6.0", "--precision", "fp16",
        "--from", build.toString()));
    args.addAll(List.of(extra));
    return cli(args.toArray(String[]::new));
  }

  private Path target(String device) {
    return root.resolve("mlp").resolve(ContentDigest.ofSavedModel(model)).resolve("trt-10.6.0").resolve(device)
        .resolve("FP16");
  }

  @Test
  void fileUrisAreAbsolutePathsForStoreAndModel() {
    Run p = publish("l4");
    assertEquals(0, p.exit(), p.err());
    assertTrue(Files.exists(target("l4").resolve("manifest.json")));
    assertFalse(Files.exists(Path.of("file:")), "no folder named file: in the working folder");
    assertOneLine(cli("ls", "--store", "file:store"), Main.EXIT_BAD_INPUT, "is not an absolute file URI");
    assertOneLine(cli("ls", "--store", "file://store/x"), Main.EXIT_BAD_INPUT, "write file:///store/x");
  }

  @Test
  void lsSaysWhatTheRootIsInOneLine() throws Exception {
    assertOneLine(cli("ls", "--store", root.toString()), Main.EXIT_BAD_INPUT, "does not exist");
    Files.createDirectories(root);
    Run empty = cli("ls", "--store", root.toString());
    assertEquals(0, empty.exit(), empty.err());
    assertEquals("artifact store file://" + root + " is empty: nothing published yet\n", empty.out());
    Files.writeString(tmp.resolve("notes.txt"), "x");
    assertOneLine(cli("ls", "--store", tmp.toString()), Main.EXIT_BAD_INPUT, "is not a trtfleet artifact store");
  }

  @Test
  void aDamagedBuildIsReportedByLsVerifyAndRefusedByFetch() throws Exception {
    assertEquals(0, publish("l4").exit());
    assertEquals(0, publish("t4").exit());
    Path out = tmp.resolve("consumer");
    Run fetch = cli("fetch", "--store", root.toString(), "--model-name", "mlp", "--device-key", "l4", "--backend",
        "trt-10.6.0", "--precision", "FP16", "--to", out.toString());
    assertEquals(0, fetch.exit(), fetch.err());
    assertArrayEquals(Files.readAllBytes(build.resolve("engines/segment_0.plan")),
        Files.readAllBytes(out.resolve("engines/segment_0.plan")));
    assertTrue(Files.exists(out.resolve("manifest.json")));

    Path plan = target("l4").resolve("engines/segment_0.plan");
    Files.writeString(plan, "plan bytes of SOME length");  // same size, other bytes
    Files.deleteIfExists(plan.resolveSibling(".segment_0.plan.crc"));
    Run ls = cli("ls", "--store", root.toString(), "--verify");
    assertEquals(LsCommand.EXIT_DAMAGED, ls.exit(), ls.out() + ls.err());
    assertTrue(ls.out().contains("corrupt: file engines/segment_0.plan sha256 mismatch"), ls.out());
    assertTrue(ls.out().lines().anyMatch(l -> l.contains(" t4 ") && l.endsWith(" ok")), ls.out());
    assertTrue(ls.err().startsWith("error: 1 damaged build(s)"), ls.err());

    Path out2 = tmp.resolve("consumer2");
    assertOneLine(cli("fetch", "--store", root.toString(), "--model-name", "mlp", "--device-key", "l4", "--backend",
        "trt-10.6.0", "--precision", "FP16", "--to", out2.toString()), Main.EXIT_BAD_INPUT,
        "corrupt: file engines/segment_0.plan sha256 mismatch");
    assertFalse(Files.exists(out2), "nothing downloaded");

    Files.writeString(target("t4").resolve("manifest.json"), "{\"schema\": 2, \"mod");
    Run damaged = cli("ls", "--store", root.toString());
    assertEquals(LsCommand.EXIT_DAMAGED, damaged.exit(), damaged.out() + damaged.err());
    assertTrue(damaged.out().contains("damaged: mlp/") && damaged.out().contains("/t4/FP16/manifest.json"),
        damaged.out());
    assertTrue(damaged.out().lines().anyMatch(l -> l.startsWith("mlp ") && l.contains(" l4 ")), "others listed");
    assertEquals(0, publish("t4").exit(), "a republish replaces the damaged build");
  }

  @Test
  void publishRefusesSymbolicLinksAndSweepsStaleStaging() throws Exception {
    Path stale = Files.createDirectories(root.resolve("_staging/0b6f3c1e-stale"));
    Files.writeString(stale.resolve("_publish.json"), "{}");
    Files.setLastModifiedTime(stale.resolve("_publish.json"), FileTime.from(Instant.now().minus(Duration.ofHours(2))));
    Path link = build.resolve("report/host.txt");
    Files.createSymbolicLink(link, Files.writeString(tmp.resolve("outside.txt"), "not part of the build"));
    assertOneLine(publish("l4"), Main.EXIT_BAD_INPUT, "is a symbolic link");
    assertTrue(Files.exists(stale), "a refused publish touches nothing");
    Files.delete(link);

    Run p = publish("l4", "--conf", "trtfleet.publish.staging-lease-seconds=3600");
    assertEquals(0, p.exit(), p.err());
    assertTrue(p.out().startsWith("removed 1 stale staging"), p.out());
    try (Stream<Path> left = Files.walk(root.resolve("_staging"))) {
      assertEquals(List.of(), left.filter(Files::isRegularFile).toList());
    }
  }
}
