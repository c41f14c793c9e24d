package io.trtfleet.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What export_anchor.py --weights reads: every ResNet-50 weight once, back to back, and a reference. */
class ResNet50WeightsTest {

  @Test
  void writesEveryWeightOnceWithItsShapeAndTheReferenceLogits(@TempDir Path dir) throws Exception {
    ResNet50Weights.main(new String[] {dir.toString(), "64"});

    JsonNode index = new ObjectMapper().readTree(dir.resolve("weights.json").toFile());
    // 53 convolution kernels, 53 batch norms of 4 tensors each, the classifier's kernel and bias
    assertEquals(53 + 53 * 4 + 2, index.size());
    long next = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = index.fields(); it.hasNext(); ) {
      JsonNode e = it.next().getValue();
      assertEquals(next, e.get("offset").asLong(), "tensors are back to back");
      long n = 1;
      for (JsonNode d : e.get("shape")) {
        n *= d.asLong();
      }
      next += n;
    }
    assertEquals(next * 4, Files.size(dir.resolve("weights.bin")));
    // torchvision's ResNet-50: 25,557,032 parameters plus 53,120 batch-norm running statistics
    assertEquals(25_557_032L + 53_120L, next);
    assertArrayEquals(new long[] {1, 1, 512, 2048},
        new ObjectMapper().convertValue(index.get("stage5_block3_3_conv/kernel").get("shape"), long[].class));
    assertEquals(2 * 1000 * 4, Files.size(dir.resolve("logits.bin")));
    assertEquals(2 * 64 * 64 * 3 * 4, Files.size(dir.resolve("input.bin")));
  }
}
