package io.trtfleet.importer;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.trtfleet.FileTrees;
import io.trtfleet.Messages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.RawTensor;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.proto.AssetFileDef;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.types.TString;

/**
 * Reads the state a signature depends on, variables and lookup tables, by letting TensorFlow restore
 * it: the MetaGraph is cut down to its saver's restore op, the variables, the tables and the model's
 * initializers (device placements cleared, no signatures, so GPU-pinned models and models holding ops
 * this TensorFlow lacks still restore; asset file names become the files' absolute paths), loaded from
 * a temporary SavedModel that links the original {@code variables/}, the initializers are run, and
 * each variable is fetched and each table exported.
 */
final class StateReader {

  static final Set<String> REF_VARIABLE_OPS = Set.of("VariableV2", "Variable");
  static final String RESOURCE_VARIABLE_OP = "VarHandleOp";
  /** Ops that create a lookup table (a resource the lookup ops read). */
  static final Set<String> TABLE_OPS = Set.of("HashTable", "HashTableV2", "MutableHashTable",
      "MutableHashTableV2", "MutableHashTableOfTensors", "MutableHashTableOfTensorsV2", "MutableDenseHashTable",
      "MutableDenseHashTableV2");
  /** Where TF1 keeps the ops that initialize tables (TF2 has the __saved_model_init_op signature). */
  private static final List<String> INIT_COLLECTIONS = List.of("saved_model_main_op", "main_op",
      "legacy_init_op", "table_initializer");
  private static final String ASSET_COLLECTION = "saved_model_assets";
  private static final Pattern SHARD = Pattern.compile("variables\\.data-(\\d+)-of-(\\d+)");

  /** A table's content: every key and its value, as TensorFlow exported them. */
  record TableContents(TensorProto keys, TensorProto values) {}

  /** Variable node name to value (dtype without the _REF variant); table node name to content. */
  record State(Map<String, TensorProto> variables, Map<String, TableContents> tables) {}

  private StateReader() {}

  static State read(Path modelDir, MetaGraphDef metaGraph, Collection<NodeDef> variables,
      Collection<NodeDef> tables) {
    if (variables.isEmpty() && tables.isEmpty()) {
      return new State(Map.of(), Map.of());
    }
    boolean restore = !metaGraph.getSaverDef().getRestoreOpName().isEmpty();
    if (!variables.isEmpty()) {
      checkCheckpointFiles(modelDir, variables.size());
      if (!restore) {
        throw new ImportException(modelDir + " has " + variables.size()
            + " variables but no saver to restore them (MetaGraph without saver_def): re-export the model");
      }
    }
    Path tmp = null;
    try {
      tmp = Files.createTempDirectory("trtfleet-restore");
      List<String> initializers = tables.isEmpty() ? List.of() : initializers(metaGraph);
      writeRestoreOnlyModel(tmp, modelDir, metaGraph, variables, tables, initializers, restore);
      try (SavedModelBundle bundle = SavedModelBundle.loader(tmp.toString())
          .withTags(metaGraph.getMetaInfoDef().getTagsList().toArray(String[]::new))
          .withConfigProto(ConfigProto.newBuilder().setAllowSoftPlacement(true).build())
          .load()) {
        if (!initializers.isEmpty()) {
          Session.Runner init = bundle.session().runner();
          initializers.forEach(init::addTarget);
          init.run();
        }
        return new State(fetch(bundle.session(), bundle.graph(), variables),
            export(bundle.session(), bundle.graph(), tables));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stage the variable restore of " + modelDir, e);
    } catch (ImportException e) {
      throw e;
    } catch (org.tensorflow.exceptions.TensorFlowException | IllegalArgumentException | IllegalStateException e) {
      throw new ImportException("TensorFlow could not restore the variables and tables of " + modelDir + " from "
          + modelDir.resolve("variables") + " and " + modelDir.resolve("assets") + " ("
          + Messages.oneLine(e.getMessage())
          + "): the checkpoint or an asset is damaged or does not match the graph; re-export the model", e);
    } finally {
      try {
        FileTrees.deleteTree(tmp);
      } catch (IOException e) {
        // Only a temp directory is left behind; the import result does not depend on it.
        org.slf4j.LoggerFactory.getLogger(StateReader.class).warn("could not delete {}: {}", tmp, e.toString());
      }
    }
  }

  /** The ops that initialize the model's tables: TF1 collections, the TF2 init-op signature. */
  private static List<String> initializers(MetaGraphDef metaGraph) {
    Set<String> names = new HashSet<>();
    metaGraph.getGraphDef().getNodeList().forEach(n -> names.add(n.getName()));
    List<String> out = new ArrayList<>();
    for (String collection : INIT_COLLECTIONS) {
      CollectionDef c = metaGraph.getCollectionDefMap().get(collection);
      if (c != null) {
        c.getNodeList().getValueList().forEach(v -> out.add(nodeOf(v)));
      }
    }
    var init = metaGraph.getSignatureDefMap().get(SavedModelReader.INIT_OP_SIGNATURE);
    if (init != null) {
      init.getOutputsMap().values().forEach(t -> out.add(nodeOf(t.getName())));
    }
    return out.stream().distinct().filter(names::contains).toList();
  }

  /** Asset tensor (node name) to the asset's file name, from the MetaGraph and the TF1 collection. */
  static Map<String, String> assets(MetaGraphDef metaGraph) {
    List<AssetFileDef> defs = new ArrayList<>(metaGraph.getAssetFileDefList());
    CollectionDef c = metaGraph.getCollectionDefMap().get(ASSET_COLLECTION);
    if (c != null) {
      for (var any : c.getAnyList().getValueList()) {
        try {
          defs.add(any.unpack(AssetFileDef.class));
        } catch (InvalidProtocolBufferException e) {
          throw new ImportException("collection " + ASSET_COLLECTION + " holds a damaged AssetFileDef ("
              + e.getMessage() + "): re-export the model", e);
        }
      }
    }
    Map<String, String> out = new LinkedHashMap<>();
    defs.forEach(d -> out.put(nodeOf(d.getTensorInfo().getName()), d.getFilename()));
    return out;
  }

  /** A missing index or shard gives a clear message instead of TensorFlow's uninitialized-value error. */
  private static void checkCheckpointFiles(Path modelDir, int count) {
    Path vars = modelDir.resolve("variables");
    Path index = vars.resolve("variables.index");
    if (!Files.isRegularFile(index)) {
      throw new ImportException("the graph has " + count + " variables but " + index
          + " is missing: copy the whole SavedModel directory, variables/ included");
    }
    int expected = -1;
    Set<Integer> present = new HashSet<>();
    try (Stream<Path> files = Files.list(vars)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Matcher m = SHARD.matcher(f.getFileName().toString());
        if (m.matches()) {
          present.add(Integer.parseInt(m.group(1)));
          expected = Integer.parseInt(m.group(2));
        }
      }
    } catch (IOException e) {
      throw new ImportException("cannot list " + vars + ": " + e.getMessage(), e);
    }
    if (expected < 0) {
      throw new ImportException("no variables.data-*-of-* shard in " + vars
          + ": the checkpoint is incomplete; copy the whole SavedModel directory");
    }
    for (int i = 0; i < expected; i++) {
      if (!present.contains(i)) {
        throw new ImportException("variables shard " + vars.resolve(String.format(
            "variables.data-%05d-of-%05d", i, expected)) + " is missing (" + present.size() + " of "
            + expected + " present): copy the whole SavedModel directory");
      }
    }
  }

  private static void writeRestoreOnlyModel(Path tmp, Path modelDir, MetaGraphDef metaGraph,
      Collection<NodeDef> variables, Collection<NodeDef> tables, List<String> initializers, boolean restore)
      throws IOException {
    GraphDef graph = metaGraph.getGraphDef();
    Map<String, String> assets = assets(metaGraph);
    Map<String, NodeDef> byName = new LinkedHashMap<>();
    for (NodeDef n : graph.getNodeList()) {
      String asset = assets.get(n.getName());
      byName.put(n.getName(), asset == null ? n
          : GraphFreezer.stringConstant(n.getName(), modelDir.resolve("assets").resolve(asset).toAbsolutePath().toString()));
    }
    Deque<String> work = new ArrayDeque<>();
    if (restore) {
      work.add(metaGraph.getSaverDef().getRestoreOpName());
      work.add(nodeOf(metaGraph.getSaverDef().getFilenameTensorName()));
    }
    variables.forEach(v -> work.add(v.getName()));
    tables.forEach(t -> work.add(t.getName()));
    work.addAll(initializers);
    Set<String> keep = new HashSet<>();
    while (!work.isEmpty()) {
      String name = work.pop();
      NodeDef n = byName.get(name);
      if (n != null && keep.add(name)) {
        n.getInputList().forEach(in -> work.add(nodeOf(in)));
      }
    }
    GraphDef.Builder pruned = GraphDef.newBuilder().setVersions(graph.getVersions());
    byName.values().stream().filter(n -> keep.contains(n.getName()))
        .forEach(n -> pruned.addNode(n.toBuilder().clearDevice()));
    for (FunctionDef f : FunctionLibrary.reachable(graph.getLibrary(), pruned.getNodeList())) {
      pruned.getLibraryBuilder().addFunction(FunctionLibrary.withoutDevices(f));
    }
    MetaGraphDef.Builder restoreOnly = MetaGraphDef.newBuilder()
        .setMetaInfoDef(metaGraph.getMetaInfoDef())
        .setGraphDef(pruned);
    if (restore) {
      restoreOnly.setSaverDef(metaGraph.getSaverDef());
    }
    Files.write(tmp.resolve(SavedModelReader.SAVED_MODEL_FILE), SavedModel.newBuilder()
        .setSavedModelSchemaVersion(1).addMetaGraphs(restoreOnly).build().toByteArray());
    if (Files.isDirectory(modelDir.resolve("variables"))) {
      Files.createSymbolicLink(tmp.resolve("variables"), modelDir.resolve("variables").toAbsolutePath());
    }
  }

  private static Map<String, TensorProto> fetch(Session session, Graph graph, Collection<NodeDef> variables) {
    Map<String, TensorProto> values = new LinkedHashMap<>();
    for (NodeDef v : variables) {
      String fetchName = v.getName();
      if (v.getOp().equals(RESOURCE_VARIABLE_OP)) {
        GraphOperation read = graph.opBuilder("ReadVariableOp", "trtfleet_read/" + v.getName(), graph.baseScope())
            .addInput(graph.outputOrThrow(v.getName()))
            .setAttr("dtype", v.getAttrMap().get("dtype").getType())
            .build();
        fetchName = read.name();
      }
      try (Result r = session.runner().fetch(fetchName).run()) {
        values.put(v.getName(), toProto(r.get(0), "variable '" + v.getName() + "'"));
      }
    }
    return values;
  }

  private static Map<String, TableContents> export(Session session, Graph graph, Collection<NodeDef> tables) {
    Map<String, TableContents> out = new LinkedHashMap<>();
    for (NodeDef t : tables) {
      GraphOperation export = graph.opBuilder("LookupTableExportV2", "trtfleet_export/" + t.getName(),
              graph.baseScope())
          .addInput(graph.outputOrThrow(t.getName()))
          .setAttr("Tkeys", t.getAttrMap().get("key_dtype").getType())
          .setAttr("Tvalues", t.getAttrMap().get("value_dtype").getType())
          .build();
      try (Result r = session.runner().fetch(export.output(0)).fetch(export.output(1)).run()) {
        String what = "lookup table '" + t.getName() + "'";
        out.put(t.getName(), new TableContents(toProto(r.get(0), what), toProto(r.get(1), what)));
      }
    }
    return out;
  }

  /** A tensor as a TensorProto: numeric ones as raw content, strings as string values. */
  static TensorProto toProto(Tensor tensor, String what) {
    DataType dtype = tensor.dataType();
    TensorProto.Builder b = TensorProto.newBuilder().setDtype(dtype)
        .setTensorShape(io.trtfleet.graph.TensorSpec.toProto(tensor.shape().asArray()));
    if (dtype == DataType.DT_STRING) {
      ((TString) tensor).asBytes().scalars().forEach(s -> b.addStringVal(ByteString.copyFrom(s.getObject())));
      return b.build();
    }
    if (dtype == DataType.DT_RESOURCE || dtype == DataType.DT_VARIANT) {
      throw new ImportException(what + " holds " + io.trtfleet.graph.TensorSpec.dtypeName(dtype)
          + " values, which trtfleet cannot freeze; serve this signature with TensorFlow");
    }
    RawTensor raw = tensor.asRawTensor();
    byte[] bytes = new byte[(int) raw.numBytes()];
    raw.data().read(bytes);
    return b.setTensorContent(ByteString.copyFrom(bytes)).build();
  }

  static String nodeOf(String input) {
    String s = input.startsWith("^") ? input.substring(1) : input;
    int colon = s.indexOf(':');
    return colon < 0 ? s : s.substring(0, colon);
  }
}
