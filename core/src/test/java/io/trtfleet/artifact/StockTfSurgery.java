package io.trtfleet.artifact;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;

/**
 * Makes a converted SavedModel loadable by stock TensorFlow, which registers no TF-TRT op: every
 * TRTEngineOp becomes a PartitionedCall of its segment_func (what TF-TRT itself runs when an engine
 * cannot), and the engine-resource initializers and their assets are dropped. Nothing else changes.
 */
final class StockTfSurgery {

  private StockTfSurgery() {}

  static Path rewrite(Path convertedSavedModel, Path out) {
    try {
      SavedModel model = SavedModel.parseFrom(Files.readAllBytes(convertedSavedModel.resolve("saved_model.pb")));
      SavedModel.Builder b = model.toBuilder().clearMetaGraphs();
      for (MetaGraphDef meta : model.getMetaGraphsList()) {
        GraphDef.Builder g = meta.getGraphDef().toBuilder().clearNode();
        for (NodeDef n : meta.getGraphDef().getNodeList()) {
          if (n.getName().startsWith(TfTrtGraphRewriter.RESOURCE_SCOPE + "/")) {
            continue;
          }
          g.addNode(n.getOp().equals(TrtOpDefs.TRT_ENGINE_OP) ? partitionedCall(n) : n);
        }
        MetaGraphDef.Builder m = meta.toBuilder().setGraphDef(g).clearAssetFileDef()
            .removeSignatureDef(TfTrtSavedModelWriter.INIT_OP_SIGNATURE);
        m.getMetaInfoDefBuilder().clearStrippedOpList();
        b.addMetaGraphs(m);
      }
      Files.createDirectories(out);
      Files.write(out.resolve("saved_model.pb"), b.build().toByteArray());
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static NodeDef partitionedCall(NodeDef engine) {
    AttrValue empty = AttrValue.newBuilder().setS(com.google.protobuf.ByteString.EMPTY).build();
    return NodeDef.newBuilder().setName(engine.getName()).setOp("PartitionedCall")
        .addAllInput(engine.getInputList())
        .putAttr("Tin", engine.getAttrMap().get("InT"))
        .putAttr("Tout", engine.getAttrMap().get("OutT"))
        .putAttr("f", engine.getAttrMap().get("segment_func"))
        .putAttr("config", empty).putAttr("config_proto", empty).putAttr("executor_type", empty)
        .build();
  }

  static List<NodeDef> engines(GraphDef g) {
    return g.getNodeList().stream().filter(n -> n.getOp().equals(TrtOpDefs.TRT_ENGINE_OP)).toList();
  }
}
