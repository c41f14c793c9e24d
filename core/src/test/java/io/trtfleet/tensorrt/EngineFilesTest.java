package io.trtfleet.tensorrt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trtfleet.convert.OptimizationProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plan and its metadata land under their final names, the metadata as readable JSON. */
class EngineFilesTest {

  @TempDir Path tmp;

  @Test
  void writesPlanAndMetadataWithoutLeftovers() throws Exception {
    OptimizationProfile profile = new OptimizationProfile(Map.of("images:0", new OptimizationProfile.Dims(
        new long[] {1, 28, 28, 1}, new long[] {64, 28, 28, 1}, new long[] {256, 28, 28, 1})));
    EngineMetadata meta = new EngineMetadata("TRTEngineOp_000_000", "h100-80gb-hbm3.sm90", "NVIDIA H100 80GB HBM3",
        "9.0", "trt-10.6.0", "INT8", List.of(profile),
        List.of(new EngineMetadata.IoTensor("images:0", true, "float", new long[] {-1, 28, 28, 1},
            EngineMetadata.IoTensor.LINEAR)), 3, 1.5);
    List<Path> files = EngineFiles.write(tmp.resolve("engines"), new EngineArtifact(new byte[] {1, 2, 3}, meta));
    assertEquals(List.of(tmp.resolve("engines/TRTEngineOp_000_000.plan"), tmp.resolve("engines/TRTEngineOp_000_000.json")),
        files);
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(files.get(0)));
    JsonNode json = new ObjectMapper().readTree(files.get(1).toFile());
    assertEquals("h100-80gb-hbm3.sm90", json.get("deviceKey").asText());
    assertEquals("INT8", json.get("precision").asText());
    assertEquals(256, json.at("/profiles/0/inputs/images:0/max/0").asLong());
    assertEquals(-1, json.at("/io/0/shape/0").asLong());
    try (var listing = Files.list(tmp.resolve("engines"))) {
      assertEquals(2, listing.count(), "no .tmp files left behind");
    }
    assertEquals(json.get("profiles"), EngineFiles.profiles(files.get(0)).orElseThrow(), "what the manifest records");
    assertTrue(EngineFiles.profiles(tmp.resolve("engines/other.plan")).isEmpty(), "a plan without metadata");
  }
}
