package io.trtfleet.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.graph.Signature;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.importer.SavedModelReader;
import io.trtfleet.reference.ReferenceRunner;
import io.trtfleet.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.Example;

/** Random inputs a model accepts and that exercise it, read off the graph of real models. */
class RandomInputsTest {

  private static FrozenGraph zoo(String name) {
    Path dir = Fixtures.zooModels().stream().filter(p -> p.getFileName().toString().equals(name)).findFirst()
        .orElseThrow().resolve("saved_model");
    return SavedModelImporter.importModel(SavedModelReader.resolveDefaults(ImportOptions.of(dir))).graph();
  }

  private static Map<String, HostTensor> runs(FrozenGraph g, Map<String, HostTensor> inputs) {
    try (ReferenceRunner tf = new ReferenceRunner(g, 1)) {
      return tf.runSignature(inputs);
    }
  }

  @Test
  void embeddingIdsCoverTheTableFedAsFloats() {
    FrozenGraph g = zoo("spam-embedding"); // float ids [-1, 8] -> Cast -> Gather of a [vocab, 16] table
    HostTensor ids = RandomInputs.of(g, 1).batch(50).get("embedding_input");
    assertArrayEquals(new long[] {50, 8}, ids.shape());
    long vocab = g.nodes().stream().filter(n -> n.op().equals("GatherV2")).findFirst().orElseThrow()
        .dataInputs().stream().map(g::tensor).findFirst().orElseThrow().shape()[0];
    double[] v = ids.asDoubles();
    assertTrue(Arrays.stream(v).allMatch(x -> x == Math.floor(x) && x >= 0 && x < vocab), "ids in [0, " + vocab + ")");
    assertTrue(Arrays.stream(v).distinct().count() > 50, "not token 0 only: " + Arrays.stream(v).distinct().count());
    assertEquals(1, runs(g, Map.of("embedding_input", ids)).size());
  }

  @Test
  void serializedExamplesHoldEveryFeatureTheParserReads() throws Exception {
    FrozenGraph g = zoo("tfx-keras-serving");
    Map<String, HostTensor> batch = RandomInputs.of(g, 2).batch(6);
    HostTensor examples = batch.get("examples");
    assertEquals(DataType.DT_STRING, examples.dtype());
    Example first = Example.parseFrom(examples.strings().get(0));
    assertEquals(4, first.getFeatures().getFeatureCount(), first::toString);
    first.getFeatures().getFeatureMap().values().forEach(f -> assertEquals(1, f.getFloatList().getValueCount()));
    HostTensor out = runs(g, batch).get("output_0");
    assertArrayEquals(new long[] {6, 3}, out.shape());
  }

  @Test
  void textIsMadeOfTheVocabularyItIsLookedUpIn() {
    FrozenGraph g = zoo("alina-text-classifier");
    HostTensor text = RandomInputs.of(g, 3).batch(4).get("text_vectorization_input");
    assertArrayEquals(new long[] {4, 1}, text.shape());
    List<String> sentences = text.strings().stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    sentences.forEach(s -> assertTrue(s.split(" ").length >= 3, "several words: " + s));
    Set<String> vocabulary = new HashSet<>();
    g.nodes().stream().filter(n -> n.name().endsWith("/trtfleet_keys")).forEach(n -> n.attr("value").orElseThrow()
        .getTensor().getStringValList().forEach(k -> vocabulary.add(k.toStringUtf8())));
    assertFalse(vocabulary.isEmpty());
    sentences.forEach(s -> Arrays.stream(s.split(" ")).forEach(w -> assertTrue(vocabulary.contains(w), w)));
    assertEquals(1, runs(g, Map.of("text_vectorization_input", text)).size());
  }

  @Test
  void sparseInputsHaveOneValuePerRowAndScalarsNoBatch() {
    FrozenGraph g = zoo("tfx-transform-fn");
    Signature.SparseInput fare = g.signature().sparseInputs().stream().filter(s -> s.key().equals("fare"))
        .findFirst().orElseThrow();
    Map<String, HostTensor> batch = RandomInputs.of(g, 4).batch(5);
    assertArrayEquals(new long[] {5, 2}, batch.get(fare.indices().key()).shape());
    assertArrayEquals(new long[] {5, 1}, Arrays.stream(batch.get(fare.denseShape().key()).asDoubles())
        .mapToLong(d -> (long) d).toArray());
    assertEquals(17, runs(g, batch).size());

    FrozenGraph scalar = zoo("tfjs-times-three-float");
    List<Verifier.Batch> batches = RandomInputs.of(scalar, 1).batches(5, 100);
    assertEquals(5, batches.size(), "a model without a batch dimension takes one sample per batch");
    assertArrayEquals(new long[0], batches.get(0).inputs().get("x").shape());
  }
}
