package io.trtfleet.importer;

import com.google.protobuf.InvalidProtocolBufferException;
import io.trtfleet.graph.Signature;
import io.trtfleet.graph.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

/**
 * Reads {@code saved_model.pb} as a protobuf (no TensorFlow session: that fails on models pinned to
 * devices this machine lacks) and picks the MetaGraph for a tag set.
 */
public final class SavedModelReader {

  private static final Logger LOG = LoggerFactory.getLogger(SavedModelReader.class);

  static final String SAVED_MODEL_FILE = "saved_model.pb";
  /** TF2 stores its init op as a pseudo-signature; it is no signature a user can serve. */
  static final String INIT_OP_SIGNATURE = "__saved_model_init_op";

  private SavedModelReader() {}

  public static SavedModel read(Path modelDir) {
    if (!Files.isDirectory(modelDir)) {
      throw new ImportException("model directory " + modelDir + " does not exist or is not a directory:"
          + " pass --model the SavedModel directory (the one holding saved_model.pb)");
    }
    Path pb = modelDir.resolve(SAVED_MODEL_FILE);
    if (!Files.isRegularFile(pb)) {
      String hint = Files.exists(modelDir.resolve("saved_model.pbtxt"))
          ? "only the binary saved_model.pb is read: re-export without as_text"
          : "is this a SavedModel directory? (a numbered version folder may hold it)";
      throw new ImportException("no " + SAVED_MODEL_FILE + " in " + modelDir + ": " + hint);
    }
    try {
      byte[] bytes = Files.readAllBytes(pb);
      SavedModel model = SavedModel.parseFrom(bytes);
      if (model.getMetaGraphsCount() == 0) {
        throw new ImportException(pb + " holds no MetaGraph (" + bytes.length
            + " bytes): the file is truncated or not a SavedModel; re-export the model");
      }
      return model;
    } catch (InvalidProtocolBufferException e) {
      throw new ImportException(pb + " is truncated or not a SavedModel (protobuf parse failed: "
          + e.getMessage() + "); re-export the model", e);
    } catch (IOException e) {
      throw new ImportException("cannot read " + pb + ": " + e.getMessage(), e);
    }
  }

  /** The MetaGraph whose tag set equals {@code tags}, as TensorFlow's loader matches them. */
  public static MetaGraphDef metaGraph(SavedModel model, Path modelDir, java.util.Set<String> tags) {
    for (MetaGraphDef mg : model.getMetaGraphsList()) {
      if (new HashSet<>(mg.getMetaInfoDef().getTagsList()).equals(tags)) {
        return mg;
      }
    }
    throw new ImportException("no MetaGraph with tags [" + String.join(",", new java.util.TreeSet<>(tags))
        + "] in " + modelDir + ": available tag sets are " + tagSets(model)
        + "; pass --tags with one of them (--tags \"\" for the empty set)");
  }

  /** The tag sets of a SavedModel as the CLI takes them: {@code [serve], [train,serve], []}. */
  public static String tagSets(SavedModel model) {
    return model.getMetaGraphsList().stream()
        .map(mg -> "[" + String.join(",", mg.getMetaInfoDef().getTagsList()) + "]")
        .collect(Collectors.joining(", "));
  }

  /**
   * The options with TensorFlow's defaults filled in from the model when the model lacks them: the tag
   * set {serve} becomes the model's only tag set, the signature serving_default its only signature
   * (a TF1 module saved with tags {train,serve}, a tf.Transform graph with {transform}). Explicit other
   * choices, and models with several candidates, are left as asked (import then names the choices).
   */
  public static ImportOptions resolveDefaults(ImportOptions requested) {
    SavedModel model = read(requested.modelDir());
    Set<String> tags = requested.tags();
    if (tags.equals(Set.of(ImportOptions.SERVE_TAG)) && model.getMetaGraphsCount() == 1
        && !new HashSet<>(model.getMetaGraphs(0).getMetaInfoDef().getTagsList()).equals(tags)) {
      tags = Set.copyOf(model.getMetaGraphs(0).getMetaInfoDef().getTagsList());
      LOG.info("{} has no MetaGraph tagged serve: using its only one, tags {}", requested.modelDir(), tags);
    }
    String key = requested.signatureKey();
    Set<String> chosen = tags;
    MetaGraphDef mg = model.getMetaGraphsList().stream()
        .filter(m -> new HashSet<>(m.getMetaInfoDef().getTagsList()).equals(chosen)).findFirst().orElse(null);
    if (mg != null && key.equals(ImportOptions.DEFAULT_SIGNATURE) && !mg.getSignatureDefMap().containsKey(key)) {
      List<Signature> all = signatures(mg);
      if (all.size() == 1) {
        key = all.get(0).key();
        LOG.info("{} has no signature serving_default: using its only one, '{}'", requested.modelDir(), key);
      }
    }
    return ImportOptions.builder(requested.modelDir()).tags(List.copyOf(tags)).signature(key).build();
  }

  /** Every servable signature of the MetaGraph, sorted by key. */
  public static List<Signature> signatures(MetaGraphDef metaGraph) {
    List<Signature> out = new ArrayList<>();
    new TreeMap<>(metaGraph.getSignatureDefMap()).forEach((key, def) -> {
      if (!key.equals(INIT_OP_SIGNATURE)) {
        out.add(toSignature(key, def));
      }
    });
    return out;
  }

  public static Signature signature(MetaGraphDef metaGraph, Path modelDir, String key) {
    SignatureDef def = metaGraph.getSignatureDefMap().get(key);
    if (def == null || key.equals(INIT_OP_SIGNATURE)) {
      String available = signatures(metaGraph).stream().map(Signature::key)
          .collect(Collectors.joining(", "));
      throw new ImportException("signature '" + key + "' not found in " + modelDir
          + (available.isEmpty() ? ": the model has no signatures; re-export it with one"
              : ": available signatures are " + available + "; pass --signature with one of them"));
    }
    return toSignature(key, def);
  }

  private static Signature toSignature(String key, SignatureDef def) {
    return new Signature(key, def.getMethodName(), arguments(key, def.getInputsMap()),
        arguments(key, def.getOutputsMap()));
  }

  /**
   * Dense arguments as they are; a sparse one as its three components ({@link Signature}); an argument
   * of another composite type keeps an empty tensor name, which import refuses with its type.
   */
  private static List<Signature.Argument> arguments(String signature, Map<String, TensorInfo> infos) {
    List<Signature.Argument> args = new ArrayList<>();
    new TreeMap<>(infos).forEach((argKey, info) -> {
      if (info.hasCooSparse()) {
        TensorInfo.CooSparse coo = info.getCooSparse();
        long rank = info.getTensorShape().getUnknownRank() ? -1 : info.getTensorShape().getDimCount();
        args.add(new Signature.Argument(argKey + Signature.SPARSE_INDICES,
            new TensorSpec(coo.getIndicesTensorName(), DataType.DT_INT64, new long[] {-1, rank})));
        args.add(new Signature.Argument(argKey + Signature.SPARSE_VALUES,
            new TensorSpec(coo.getValuesTensorName(), info.getDtype(), new long[] {-1})));
        args.add(new Signature.Argument(argKey + Signature.SPARSE_DENSE_SHAPE,
            new TensorSpec(coo.getDenseShapeTensorName(), DataType.DT_INT64, new long[] {rank})));
      } else {
        args.add(new Signature.Argument(argKey, TensorSpec.of(info.getName(), info.getDtype(),
            info.getTensorShape())));
      }
    });
    return args;
  }
}
