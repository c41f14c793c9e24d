package io.trtfleet.zoo;

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
import io.trtfleet.segment.NativeFallbackGraph;
import io.trtfleet.segment.SegmentedGraph;
import io.trtfleet.segment.Segmenter;
import io.trtfleet.segment.SegmenterOptions;
import io.trtfleet.testing.Fixtures;
import io.trtfleet.verify.OutputComparison;
import io.trtfleet.verify.RandomInputs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;

/**
 * Control flow, lookup tables, string parsing and sparse inputs of real models, imported: the frozen
 * graph (loops and branches kept with their functions, tables rebuilt from constants) computes what
 * TensorFlow's own loader computes from the SavedModel; and with every TensorRT segment replaced by its
 * native segment (what a converted model runs when engines fall back) it still computes the same.
 */
class ZooGraphTest {

  private static Path zoo(String name) {
    return Fixtures.zooModels().stream().filter(p -> p.getFileName().toString().equals(name)).findFirst()
        .orElseThrow().resolve("saved_model");
  }

  private static FrozenGraph frozen(Path dir) {
    return SavedModelImporter.importModel(SavedModelReader.resolveDefaults(ImportOptions.of(dir))).graph();
  }

  /** TF2 models TensorFlow's loader runs as saved (it initializes their tables through __saved_model_init_op). */
  @ParameterizedTest
  @ValueSource(strings = {"alina-text-classifier", "music-genre-gru", "tfnet-lstm-sequential", "hidro-transformer",
      "tfx-keras-serving", "spam-embedding"})
  void frozenGraphComputesWhatTheSavedModelComputes(String name) {
    Path dir = zoo(name);
    FrozenGraph g = frozen(dir);
    Map<String, HostTensor> inputs = RandomInputs.of(g, 5).batch(6);
    Map<String, HostTensor> expected = new LinkedHashMap<>();
    try (SavedModelBundle bundle = SavedModelBundle.load(dir.toString(), "serve")) {
      var sig = bundle.metaGraphDef().getSignatureDefOrThrow(g.signature().key());
      Session.Runner r = bundle.session().runner();
      List<Tensor> fed = new ArrayList<>();
      try {
        sig.getInputsMap().forEach((key, info) -> {
          Tensor t = ReferenceRunner.toTensor(inputs.get(key));
          fed.add(t);
          r.feed(info.getName(), t);
        });
        List<String> keys = new ArrayList<>(sig.getOutputsMap().keySet());
        keys.forEach(k -> r.fetch(sig.getOutputsMap().get(k).getName()));
        try (Result result = r.run()) {
          for (int i = 0; i < keys.size(); i++) {
            expected.put(keys.get(i), ReferenceRunner.toHost(result.get(i)));
          }
        }
      } finally {
        fed.forEach(Tensor::close);
      }
    }
    Map<String, HostTensor> actual;
    try (ReferenceRunner runner = new ReferenceRunner(g, 1)) {
      actual = runner.runSignature(inputs);
    }
    assertEquals(expected.keySet(), actual.keySet());
    expected.forEach((k, e) -> {
      OutputComparison c = OutputComparison.of(k, e, actual.get(k));
      assertTrue(c.relativeRmsError() < 1e-5, name + ": " + c);
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"music-genre-gru", "alina-text-classifier", "tfx-transform-fn", "tfx-keras-serving"})
  void nativeSegmentsComputeWhatTheFrozenGraphComputes(String name) {
    FrozenGraph g = frozen(zoo(name));
    SegmentedGraph s = new Segmenter(SegmenterOptions.defaults()).segment(g);
    assertFalse(s.segments().isEmpty(), name);
    FrozenGraph fallback = SavedModelImporter.rebuild(NativeFallbackGraph.graphDef(s), g.signature(), 0);
    assertTrue(fallback.nodes().stream().anyMatch(n -> n.op().equals("PartitionedCall")), name);
    Map<String, HostTensor> inputs = RandomInputs.of(g, 7).batch(5);
    try (ReferenceRunner original = new ReferenceRunner(g, 1); ReferenceRunner native_ = new ReferenceRunner(fallback, 1)) {
      Map<String, HostTensor> expected = original.runSignature(inputs);
      Map<String, HostTensor> actual = native_.runSignature(inputs);
      for (Signature.Argument o : g.signature().outputs()) {
        OutputComparison c = OutputComparison.of(o.key(), expected.get(o.key()), actual.get(o.key()));
        assertTrue(c.maxAbsError() < 1e-6, name + ": " + c);
      }
    }
  }
}
