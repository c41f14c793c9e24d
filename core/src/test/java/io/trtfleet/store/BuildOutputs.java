package io.trtfleet.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** A converter's output directory (engines/, saved_model/, calibration/, report/) with seeded bytes. */
final class BuildOutputs {

  private BuildOutputs() {}

  /** Writes the tree; a different {@code seed} gives different engine bytes (builds are not reproducible). */
  static Path write(Path dir, long seed) throws IOException {
    Random r = new Random(seed);
    byte[] plan = new byte[200_000];
    r.nextBytes(plan);
    put(dir.resolve("engines/segment_0.plan"), plan);
    byte[] plan1 = new byte[3_000];
    r.nextBytes(plan1);
    put(dir.resolve("engines/segment_1.plan"), plan1);
    // trtfleet build writes each plan's metadata beside it: a file of the build, not an engine.
    put(dir.resolve("engines/segment_1.json"), "{\"segment\": \"segment_1\"}".getBytes(StandardCharsets.UTF_8));
    put(dir.resolve("saved_model/saved_model.pb"), "graph-def-bytes".getBytes(StandardCharsets.UTF_8));
    put(dir.resolve("saved_model/variables/variables.index"), "index".getBytes(StandardCharsets.UTF_8));
    put(dir.resolve("calibration/calibration.cache"), "TRT-100600-EntropyCalibration2\n".getBytes(StandardCharsets.UTF_8));
    put(dir.resolve("report/summary.txt"), ("build " + seed + "\n").getBytes(StandardCharsets.UTF_8));
    return dir;
  }

  private static void put(Path p, byte[] bytes) throws IOException {
    Files.createDirectories(p.getParent());
    Files.write(p, bytes);
  }

  static TargetKey key(String model) {
    return new TargetKey(model, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "10.6.0",
        "h100-80gb-hbm3.sm90", "int8");
  }
}
