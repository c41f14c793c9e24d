package io.trtfleet.artifact;

import io.trtfleet.TrtfleetException;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.OpRegistry;
import io.trtfleet.segment.Segment;
import io.trtfleet.segment.SegmentedGraph;
import io.trtfleet.tensorrt.EngineArtifact;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.OpList;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

/**
 * Writes a converted model in TF-TRT's layout under {@code outDir}:
 *
 * <ul>
 *   <li>{@code saved_model/saved_model.pb}: the source MetaGraph (tags, versions, signatures) over the
 *       frozen graph with TRTEngineOps and native segments ({@link TfTrtGraphRewriter}); variables are
 *       constants, as TF-TRT's converter freezes the graph, so there is no {@code variables/}.
 *   <li>{@code saved_model/assets/trt-serialized-engine.<engine>} for each engine given here; the
 *       others are built by TF-TRT at runtime.
 *   <li>{@code engines/<model>.plan} when one engine computes the whole signature, and optionally the
 *       Triton entry {@code triton/<model>/}.
 * </ul>
 */
public final class TfTrtSavedModelWriter {

  public static final String SAVED_MODEL_DIR = "saved_model";
  public static final String ENGINES_DIR = "engines";
  public static final String TRITON_DIR = "triton";
  /** TF2's init-op pseudo-signature (signature_constants.INIT_OP_SIGNATURE_KEY). */
  static final String INIT_OP_SIGNATURE = "__saved_model_init_op";

  private final TrtEngineOpSettings settings;
  private final Optional<TritonRepositoryWriter.Options> triton;

  public TfTrtSavedModelWriter(TrtEngineOpSettings settings) {
    this(settings, Optional.empty());
  }

  private TfTrtSavedModelWriter(TrtEngineOpSettings settings, Optional<TritonRepositoryWriter.Options> triton) {
    this.settings = settings;
    this.triton = triton;
  }

  /** Also export a Triton model repository entry when a full-model plan is written. */
  public TfTrtSavedModelWriter withTriton(TritonRepositoryWriter.Options options) {
    return new TfTrtSavedModelWriter(settings, Optional.of(options));
  }

  /**
   * @param source the SavedModel, tags and signature the segmented graph was imported from
   * @param model the model's name (plan and Triton entry names)
   * @param engines serialized engines by engine name; engines absent here are built at runtime
   */
  public ConvertedSavedModel write(ImportOptions source, String model, SegmentedGraph segmented,
      Map<String, EngineArtifact> engines, Path outDir) {
    return write(SourceModel.read(source), model, segmented, engines, outDir);
  }

  /** As {@link #write(ImportOptions, String, SegmentedGraph, Map, Path)}, from the source's MetaGraph. */
  public ConvertedSavedModel write(SourceModel source, String model, SegmentedGraph segmented,
      Map<String, EngineArtifact> engines, Path outDir) {
    check(source, model, segmented, engines, outDir);
    MetaGraphDef sourceMeta = source.metaGraphDef();
    TfTrtGraphRewriter.Result graph = TfTrtGraphRewriter.rewrite(segmented, settings, engines);

    MetaGraphDef.Builder meta = MetaGraphDef.newBuilder()
        .setMetaInfoDef(sourceMeta.getMetaInfoDef().toBuilder().setStrippedOpList(strippedOps(graph.graphDef())))
        .setGraphDef(graph.graphDef())
        .addAllAssetFileDef(graph.assets());
    List<String> kept = new ArrayList<>();
    List<String> dropped = new ArrayList<>();
    Set<String> nodes = new HashSet<>();
    graph.graphDef().getNodeList().forEach(n -> nodes.add(n.getName()));
    new TreeMap<>(sourceMeta.getSignatureDefMap()).forEach((key, def) -> {
      if (key.equals(INIT_OP_SIGNATURE)) {
        return; // the source's initializers ran before freezing; ours loads the engines
      }
      if (resolves(def, nodes)) {
        meta.putSignatureDef(key, def);
        kept.add(key);
      } else {
        dropped.add(key);
      }
    });
    graph.initOp().ifPresent(init -> meta.putSignatureDef(INIT_OP_SIGNATURE, SignatureDef.newBuilder()
        .putOutputs(INIT_OP_SIGNATURE, TensorInfo.newBuilder().setName(init).build()).build()));
    SavedModel converted = SavedModel.newBuilder()
        .setSavedModelSchemaVersion(source.schemaVersion()).addMetaGraphs(meta).build();

    Path savedModel = outDir.resolve(SAVED_MODEL_DIR);
    List<Path> assets = new ArrayList<>();
    List<String> atRuntime = new ArrayList<>();
    Optional<Path> plan = Optional.empty();
    Optional<Path> tritonModel = Optional.empty();
    try {
      Files.createDirectories(savedModel);
      Files.write(savedModel.resolve("saved_model.pb"), converted.toByteArray());
      for (Segment s : segmented.segments()) {
        EngineArtifact engine = engines.get(s.name());
        if (engine == null) {
          atRuntime.add(s.name());
          continue;
        }
        Path file = Files.createDirectories(savedModel.resolve("assets"))
            .resolve(TfTrtGraphRewriter.assetFileName(s.name()));
        TrtEngineInstanceWriter.write(file, s, engine);
        assets.add(file);
      }
      Optional<FullModelPlan> full = FullModelPlan.of(model, segmented, engines);
      if (full.isPresent()) {
        Path file = Files.createDirectories(outDir.resolve(ENGINES_DIR)).resolve(model + ".plan");
        Files.write(file, full.get().engine().plan());
        plan = Optional.of(file);
        if (triton.isPresent()) {
          tritonModel = Optional.of(TritonRepositoryWriter.write(outDir.resolve(TRITON_DIR), full.get(), triton.get()));
        }
      }
    } catch (IOException e) {
      throw new TrtfleetException("cannot write the converted model to " + outDir + ": " + e.getMessage(), e);
    }
    return new ConvertedSavedModel(savedModel, segmented.segments().stream().map(Segment::name).toList(), assets,
        atRuntime, kept, dropped, plan, tritonModel);
  }

  private static void check(SourceModel source, String model, SegmentedGraph segmented,
      Map<String, EngineArtifact> engines, Path outDir) {
    if (model == null || !model.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
      throw new TrtfleetException("model name '" + model + "' is not usable as a file name: use letters, digits, '_', '-', '.'");
    }
    if (!segmented.graph().signature().key().equals(source.signatureKey())) {
      throw new TrtfleetException("the segmented graph is signature '" + segmented.graph().signature().key()
          + "' but the source names '" + source.signatureKey() + "': segment the signature you publish");
    }
    Set<String> names = new TreeSet<>();
    segmented.segments().forEach(s -> names.add(s.name()));
    for (Map.Entry<String, EngineArtifact> engine : engines.entrySet()) {
      if (!names.contains(engine.getKey())) {
        throw new TrtfleetException("engine '" + engine.getKey() + "' is no segment of this graph (segments: " + names
            + "): it was built for another segmentation");
      }
    }
    requireFresh(outDir);
  }

  /**
   * Other files may share the folder (reports, per-segment plans); what this writer owns must be new.
   * Commands call this before their work too, so they fail before writing anything.
   */
  public static void requireFresh(Path outDir) {
    for (String own : List.of(SAVED_MODEL_DIR, TRITON_DIR)) {
      if (Files.exists(outDir.resolve(own))) {
        throw new TrtfleetException(outDir.resolve(own) + " already exists: choose a new output directory");
      }
    }
  }

  private static boolean resolves(SignatureDef def, Set<String> nodes) {
    return Stream.concat(def.getInputsMap().values().stream(), def.getOutputsMap().values().stream())
        .allMatch(info -> !info.getName().isEmpty() && nodes.contains(TensorRef.parse(info.getName()).node()));
  }

  /** The op definitions the graph and its functions use, sorted by name, as TensorFlow writes them. */
  static OpList strippedOps(GraphDef graph) {
    Set<String> ops = new TreeSet<>();
    graph.getNodeList().forEach(n -> ops.add(n.getOp()));
    for (FunctionDef f : graph.getLibrary().getFunctionList()) {
      f.getNodeDefList().stream().map(NodeDef::getOp).forEach(ops::add);
    }
    OpList.Builder list = OpList.newBuilder();
    Map<String, OpDef> trt = new TreeMap<>();
    TrtOpDefs.all().forEach(d -> trt.put(d.getName(), d));
    for (String op : ops) {
      OpDef def = trt.containsKey(op) ? trt.get(op) : OpRegistry.get().op(op).orElseThrow(
          () -> new TrtfleetException("op " + op + " of the converted graph is not registered in TensorFlow"));
      list.addOp(def);
    }
    return list.build();
  }
}
