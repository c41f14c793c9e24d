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
import io.trtfleet.artifact.TfTrtSavedModelWriter;
import io.trtfleet.artifact.TrtEngineOpSettings;
import java.nio.file.Files;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;

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

  /**
   * The converted SavedModel (TF-TRT layout, engines built at runtime) of a model with a loop or with
   * tables: loaded by TensorFlow's loader with each TRTEngineOp swapped for a call of its native segment
   * (stock TensorFlow has no TRTEngineOp), it computes what the frozen graph computes: the loop's
   * functions are in its library, its init op fills the tables.
   */
  @ParameterizedTest
  @ValueSource(strings = {"music-genre-gru", "alina-text-classifier"})
  void convertedSavedModelRunsInTensorFlowWithItsLoopsAndTables(String name, @TempDir Path tmp) throws Exception {
    Path dir = zoo(name);
    FrozenGraph g = frozen(dir);
    SegmentedGraph s = new Segmenter(SegmenterOptions.defaults()).segment(g);
    var saved = new TfTrtSavedModelWriter(TrtEngineOpSettings.defaults())
        .write(SavedModelReader.resolveDefaults(ImportOptions.of(dir)), name, s, Map.of(), tmp.resolve("converted"));
    SavedModel converted = SavedModel.parseFrom(Files.readAllBytes(saved.savedModelDir().resolve("saved_model.pb")));
    MetaGraphDef meta = converted.getMetaGraphs(0);
    GraphDef.Builder graph = meta.getGraphDef().toBuilder().clearNode();
    for (NodeDef n : meta.getGraphDef().getNodeList()) {
      graph.addNode(!n.getOp().equals("TRTEngineOp") ? n : NodeDef.newBuilder().setName(n.getName())
          .setOp("PartitionedCall").addAllInput(n.getInputList()).putAttr("Tin", n.getAttrMap().get("InT"))
          .putAttr("Tout", n.getAttrMap().get("OutT")).putAttr("f", n.getAttrMap().get("segment_func")).build());
    }
    MetaGraphDef.Builder stock = meta.toBuilder().setGraphDef(graph);
    stock.getMetaInfoDefBuilder().clearStrippedOpList();
    Path stockDir = Files.createDirectories(tmp.resolve("stock"));
    Files.write(stockDir.resolve("saved_model.pb"), converted.toBuilder().setMetaGraphs(0, stock).build().toByteArray());
    Map<String, HostTensor> inputs = RandomInputs.of(g, 11).batch(4);
    Map<String, HostTensor> expected;
    try (ReferenceRunner runner = new ReferenceRunner(g, 1)) {
      expected = runner.runSignature(inputs);
    }
    try (SavedModelBundle bundle = SavedModelBundle.load(stockDir.toString(), "serve")) {
      var sig = bundle.metaGraphDef().getSignatureDefOrThrow(g.signature().key());
      Session.Runner r = bundle.session().runner();
      List<Tensor> fed = new ArrayList<>();
      sig.getInputsMap().forEach((key, info) -> {
        Tensor t = ReferenceRunner.toTensor(inputs.get(key));
        fed.add(t);
        r.feed(info.getName(), t);
      });
      List<String> keys = new ArrayList<>(sig.getOutputsMap().keySet());
      keys.forEach(k -> r.fetch(sig.getOutputsMap().get(k).getName()));
      try (Result result = r.run()) {
        for (int i = 0; i < keys.size(); i++) {
          OutputComparison c = OutputComparison.of(keys.get(i), expected.get(keys.get(i)),
              ReferenceRunner.toHost(result.get(i)));
          assertTrue(c.maxAbsError() < 1e-6, name + ": " + c);
        }
      } finally {
        fed.forEach(Tensor::close);
      }
    }
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
