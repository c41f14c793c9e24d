package io.trtfleet.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.store.ArtifactStore;
import io.trtfleet.store.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fleet build's files land in the store as the CLI's do: engines with their metadata, the rest as report. */
class ArtifactStoreTargetsTest {

  @TempDir Path dir;

  @Test
  void plansAndTheirMetadataAreEnginesTheRestIsReport() throws IOException {
    Path files = Files.createDirectories(dir.resolve("build"));
    Files.writeString(files.resolve("cnn.plan"), "plan bytes");
    Files.writeString(files.resolve("cnn.json"), "{\"segment\":\"cnn\"}");
    Files.writeString(files.resolve("model.onnx"), "onnx bytes");
    Files.writeString(files.resolve("notes.json"), "{}");
    FleetTargetKey key = new FleetTargetKey("cnn", "m1", FleetTargetKey.NO_CALIBRATION, "o1", "trt-10.6.0",
        "h200.sm90", "FP16");
    ArtifactStoreTargets targets = new ArtifactStoreTargets(dir.resolve("store").toUri(), new Configuration());
    TargetResult result = new TargetResult("cnn", "gpu-h200", "trt-10.6.0", "h200.sm90", "FP16", key.contentDigest(),
        TargetResult.Status.BUILT, "test", 1, 100, 0.9, 0.9, 1000, 1, null, "");

    targets.publish(key, result, files);

    Manifest m = ArtifactStore.open(dir.resolve("store").toUri(), new Configuration())
        .manifest(ArtifactStoreTargets.storeKey(key)).orElseThrow();
    assertEquals(List.of("engines/cnn.json", "engines/cnn.plan", "report/model.onnx", "report/notes.json"),
        m.files().stream().map(Manifest.FileEntry::path).sorted().toList());
    assertEquals(List.of("engines/cnn.plan"), m.engines().stream().map(Manifest.Engine::file).toList());
    assertTrue(targets.published(key).isPresent());
  }
}
