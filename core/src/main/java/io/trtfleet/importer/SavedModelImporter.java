package io.trtfleet.importer;

import io.trtfleet.Durations;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.Signature;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.VersionDef;

/** Imports a SavedModel (TF1 or TF2/Keras) into a {@link FrozenGraph} for one signature. */
public final class SavedModelImporter {

  private static final Logger LOG = LoggerFactory.getLogger(SavedModelImporter.class);

  private SavedModelImporter() {}

  /** Imports through the model cache the environment names ({@link ModelCache#fromEnvironment}). */
  public static ImportedModel importModel(ImportOptions options) {
    return importModel(options, ModelCache.fromEnvironment());
  }

  /** From {@code cache} when it holds this model, else imported (and stored there). */
  public static ImportedModel importModel(ImportOptions options, ModelCache cache) {
    return cache.load(options, () -> importUncached(options));
  }

  private static ImportedModel importUncached(ImportOptions options) {
    long start = System.nanoTime();
    SavedModel model = SavedModelReader.read(options.modelDir());
    MetaGraphDef metaGraph = SavedModelReader.metaGraph(model, options.modelDir(), options.tags());
    List<Signature> signatures = SavedModelReader.signatures(metaGraph);
    Signature signature = SavedModelReader.signature(metaGraph, options.modelDir(), options.signatureKey());

    GraphFreezer.Result frozen = new GraphFreezer(options.modelDir(), metaGraph, signature).freeze();
    VersionDef versions = metaGraph.getGraphDef().getVersions();
    List<Node> unfolded = ShapeInference.infer(frozen.nodes(), frozen.library(), versions);
    List<NodeDef> folded = ConstantFolder.fold(unfolded, signature, frozen.library(), versions);
    List<Node> nodes = folded.size() == unfolded.size() && folded.equals(frozen.nodes()) ? unfolded
        : ShapeInference.infer(folded, frozen.library(), versions);
    GraphDef.Builder graphDef = GraphDef.newBuilder().setVersions(versions).setLibrary(frozen.library());
    folded.forEach(graphDef::addNode);
    List<String> converted = folded.stream()
        .filter(n -> n.getOp().equals(OpRegistry.TRT_ENGINE_OP)).map(NodeDef::getName).toList();
    FrozenGraph graph = new FrozenGraph(graphDef.build(), signature, nodes, frozen.variablesFrozen());
    LOG.info("imported {} signature '{}': {} nodes, {} variables frozen in {}", options.modelDir(),
        signature.key(), nodes.size(), frozen.variablesFrozen(), Durations.since(start));
    if (!converted.isEmpty()) {
      LOG.warn("{} already holds {} TRTEngineOp node(s) converted by TF-TRT: {}", options.modelDir(),
          converted.size(), converted);
    }
    return new ImportedModel(options.modelDir(), signatures, graph, converted);
  }

  /**
   * Rebuilds a frozen graph from its GraphDef (shipped to Spark executors as bytes, where the
   * SavedModel directory may not be readable): shapes are inferred again, nothing else changes.
   */
  public static FrozenGraph rebuild(GraphDef graphDef, Signature signature, int variablesFrozen) {
    return new FrozenGraph(graphDef, signature,
        ShapeInference.infer(graphDef.getNodeList(), graphDef.getLibrary(), graphDef.getVersions()), variablesFrozen);
  }
}
