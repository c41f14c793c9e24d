package io.trtfleet.importer;

import com.google.protobuf.ByteString;
import io.trtfleet.FileTrees;
import io.trtfleet.Messages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
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
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.TensorProto;

/**
 * Reads the checkpoint values of a set of variables by letting TensorFlow restore them: the
 * MetaGraph is cut down to its saver's restore op and the variables (device placements cleared, no
 * signatures or init ops, so GPU-pinned models and models holding ops this TensorFlow lacks still
 * restore), loaded from a temporary SavedModel that links the original {@code variables/}, and each
 * variable is fetched.
 */
final class VariableReader {

  static final Set<String> REF_VARIABLE_OPS = Set.of("VariableV2", "Variable");
  static final String RESOURCE_VARIABLE_OP = "VarHandleOp";
  private static final Pattern SHARD = Pattern.compile("variables\\.data-(\\d+)-of-(\\d+)");

  private VariableReader() {}

  /** Variable node name to its value as a TensorProto (dtype without the _REF variant). */
  static Map<String, TensorProto> read(Path modelDir, MetaGraphDef metaGraph, Collection<NodeDef> variables) {
    if (variables.isEmpty()) {
      return Map.of();
    }
    checkCheckpointFiles(modelDir, variables.size());
    if (metaGraph.getSaverDef().getRestoreOpName().isEmpty()) {
      throw new ImportException(modelDir + " has " + variables.size()
          + " variables but no saver to restore them (MetaGraph without saver_def): re-export the model");
    }
    Path tmp = null;
    try {
      tmp = Files.createTempDirectory("trtfleet-restore");
      writeRestoreOnlyModel(tmp, modelDir, metaGraph, variables);
      try (SavedModelBundle bundle = SavedModelBundle.loader(tmp.toString())
          .withTags(metaGraph.getMetaInfoDef().getTagsList().toArray(String[]::new))
          .withConfigProto(ConfigProto.newBuilder().setAllowSoftPlacement(true).build())
          .load()) {
        return fetch(bundle.session(), bundle.graph(), variables);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stage the variable restore of " + modelDir, e);
    } catch (org.tensorflow.exceptions.TensorFlowException e) {
      throw new ImportException("TensorFlow could not restore the variables of " + modelDir + " from "
          + modelDir.resolve("variables") + " (" + Messages.firstLine(e.getMessage())
          + "): the checkpoint is damaged or does not match the graph; re-export the model", e);
    } finally {
      try {
        FileTrees.deleteTree(tmp);
      } catch (IOException e) {
        // Only a temp directory is left behind; the import result does not depend on it.
        org.slf4j.LoggerFactory.getLogger(VariableReader.class).warn("could not delete {}: {}", tmp, e.toString());
      }
    }
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
      Collection<NodeDef> variables) throws IOException {
    GraphDef graph = metaGraph.getGraphDef();
    Map<String, NodeDef> byName = new LinkedHashMap<>();
    for (NodeDef n : graph.getNodeList()) {
      byName.put(n.getName(), n);
    }
    Deque<String> work = new ArrayDeque<>();
    work.add(metaGraph.getSaverDef().getRestoreOpName());
    work.add(nodeOf(metaGraph.getSaverDef().getFilenameTensorName()));
    variables.forEach(v -> work.add(v.getName()));
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
    for (FunctionDef f : reachableFunctions(graph, pruned.getNodeList())) {
      FunctionDef.Builder fb = f.toBuilder();
      fb.getNodeDefBuilderList().forEach(NodeDef.Builder::clearDevice);
      pruned.getLibraryBuilder().addFunction(fb);
    }
    MetaGraphDef restoreOnly = MetaGraphDef.newBuilder()
        .setMetaInfoDef(metaGraph.getMetaInfoDef())
        .setGraphDef(pruned)
        .setSaverDef(metaGraph.getSaverDef())
        .build();
    Files.write(tmp.resolve(SavedModelReader.SAVED_MODEL_FILE),
        SavedModel.newBuilder().setSavedModelSchemaVersion(1).addMetaGraphs(restoreOnly).build().toByteArray());
    Files.createSymbolicLink(tmp.resolve("variables"), modelDir.resolve("variables").toAbsolutePath());
  }

  /** Library functions the nodes call, directly or through other functions. */
  private static List<FunctionDef> reachableFunctions(GraphDef graph, List<NodeDef> roots) {
    Map<String, FunctionDef> library = new HashMap<>();
    graph.getLibrary().getFunctionList().forEach(f -> library.put(f.getSignature().getName(), f));
    Map<String, FunctionDef> reached = new LinkedHashMap<>();
    Deque<NodeDef> work = new ArrayDeque<>(roots);
    while (!work.isEmpty()) {
      NodeDef n = work.pop();
      Stream.concat(Stream.of(n.getOp()), n.getAttrMap().values().stream()
              .filter(AttrValue::hasFunc).map(a -> a.getFunc().getName()))
          .map(library::get)
          .filter(f -> f != null && reached.putIfAbsent(f.getSignature().getName(), f) == null)
          .forEach(f -> work.addAll(f.getNodeDefList()));
    }
    return List.copyOf(reached.values());
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
        values.put(v.getName(), toProto(r.get(0), v.getName()));
      }
    }
    return values;
  }

  static TensorProto toProto(Tensor tensor, String name) {
    DataType dtype = tensor.dataType();
    if (dtype == DataType.DT_STRING) {
      throw new ImportException("variable '" + name + "' holds strings: trtfleet freezes numeric variables"
          + " only; keep string lookups outside the served signature");
    }
    RawTensor raw = tensor.asRawTensor();
    byte[] bytes = new byte[(int) raw.numBytes()];
    raw.data().read(bytes);
    return TensorProto.newBuilder()
        .setDtype(dtype)
        .setTensorShape(io.trtfleet.graph.TensorSpec.toProto(tensor.shape().asArray()))
        .setTensorContent(ByteString.copyFrom(bytes))
        .build();
  }

  static String nodeOf(String input) {
    String s = input.startsWith("^") ? input.substring(1) : input;
    int colon = s.indexOf(':');
    return colon < 0 ? s : s.substring(0, colon);
  }


}
