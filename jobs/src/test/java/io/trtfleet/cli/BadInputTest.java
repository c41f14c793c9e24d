package io.trtfleet.cli;

import static io.trtfleet.cli.InspectCommandTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.cli.InspectCommandTest.Run;
import io.trtfleet.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input on the command line: one {@code error:} line naming the input, exit code 2, nothing written. */
class BadInputTest {

  @TempDir
  static Path tmp;

  static String model;

  @BeforeAll
  static void model() {
    model = TestModels.mlp(tmp.resolve("mlp")).toString();
  }

  private static void assertOneLine(Run r, String expected) {
    assertEquals(Main.EXIT_BAD_INPUT, r.exit(), r.out() + r.err());
    assertTrue(r.err().startsWith("error: ") && r.err().strip().lines().count() == 1, r.err());
    assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
  }

  @Test
  void optionsPicocliCannotParseAreOneLineNotTheUsage() {
    assertOneLine(cli("inspect", "--model", model, "--bogus"), "unknown option '--bogus' (see trtfleet inspect --help)");
    assertOneLine(cli("inspect"), "Missing required option: '--model=DIR'");
    assertOneLine(cli("verify", "--model", model, "--data", "random", "--batch-size", "abc"), "'abc' is not an int");
    assertOneLine(cli("ls", "--store", "file://[bad"), "is not an absolute file URI");
  }

  @Test
  void verifyChecksItsDataOptionsBeforeRunning() throws Exception {
    assertOneLine(cli("verify", "--model", model, "--data", "random", "--batch-size", "0"), "--batch-size must be at least 1");
    assertOneLine(cli("verify", "--model", model, "--data", "random", "--samples", "-1"), "--samples must be at least 1");
    assertOneLine(cli("verify", "--model", model, "--data", "random:xyz"), "must be an integer");
    assertOneLine(cli("verify", "--model", model, "--data", "hdfs://unreachable-namenode:8020/cal"),
        "cannot read --data hdfs://unreachable-namenode:8020/cal (");
    assertOneLine(cli("verify", "--model", model, "--data", tmp.resolve("none.parquet").toString()), "does not exist");
    Path garbage = tmp.resolve("garbage.parquet");
    Files.write(garbage, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    assertOneLine(cli("verify", "--model", model, "--data", garbage.toString()), "as Parquet");
  }

  @Test
  void calibrationCachesThatAreMissingBinaryOrForAnotherModelAreRefused() throws Exception {
    Path binary = tmp.resolve("binary.cache");
    Files.write(binary, new byte[] {(byte) 0xc3, 0x28, (byte) 0xa0, (byte) 0xff});
    Path other = tmp.resolve("other.cache");
    Files.writeString(other, "TRT-100600-EntropyCalibration2\nsome_other_model/x:0: 3c010a14\n");
    for (List<String> c : List.of(List.of(tmp.resolve("none.cache").toString(), "does not exist"),
        List.of(binary.toString(), "not text"), List.of(other.toString(), "made for another model"))) {
      Path out = tmp.resolve("onnx-" + c.get(1).replace(' ', '-'));
      assertOneLine(cli("export-onnx", "--model", model, "--out", out.toString(), "--precision", "INT8",
          "--calibration", c.get(0)), c.get(1));
      assertTrue(!Files.exists(out) || Files.list(out).findAny().isEmpty(), "nothing written to " + out);
    }
  }

  @Test
  void anOutputPathThatIsAFileIsRefusedBeforeAnyWork() throws Exception {
    Path file = Files.writeString(tmp.resolve("out.txt"), "x");
    assertOneLine(cli("convert", "--model", model, "--out", file.toString()), "is a file");
    assertOneLine(cli("export-onnx", "--model", model, "--out", file.toString()), "is a file");
  }

  @Test
  void benchmarkOptionsAreCheckedWithoutAGpu() throws Exception {
    Path plan = Files.writeString(tmp.resolve("some.plan"), "plan");
    assertOneLine(cli("bench", "--engine", plan.toString(), "--batch", "1,0"), "--batch sizes must be at least 1");
    assertOneLine(cli("bench", "--engine", plan.toString(), "--iterations", "0"), "--iterations must be at least 1");
    assertOneLine(cli("bench", "--engine", plan.toString(), "--streams", "2,0"), "--streams must be at least 1");
    Path out = tmp.resolve("build-out");
    assertOneLine(cli("build", "--model", model, "--out", out.toString(), "--batch-sizes", "1,-4"),
        "--batch-sizes must be at least 1");
    assertOneLine(cli("build", "--model", model, "--out", out.toString(), "--iterations", "-5"), "--iterations must be 0");
    assertTrue(!Files.exists(out), "nothing written");
  }
}
