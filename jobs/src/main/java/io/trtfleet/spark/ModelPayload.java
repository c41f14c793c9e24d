package io.trtfleet.spark;

import com.google.protobuf.InvalidProtocolBufferException;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Signature;
import io.trtfleet.importer.SavedModelImporter;
import java.io.Serializable;
import org.tensorflow.proto.GraphDef;

/**
 * A frozen graph as it travels to executors: GraphDef bytes and the signature. Executors rebuild the
 * graph from it (they may not be able to read the SavedModel's directory).
 */
public record ModelPayload(byte[] graphDef, Signature signature, int variablesFrozen) implements Serializable {

  public static ModelPayload of(FrozenGraph g) {
    return new ModelPayload(g.graphDef().toByteArray(), g.signature(), g.variablesFrozen());
  }

  public FrozenGraph graph() {
    try {
      return SavedModelImporter.rebuild(GraphDef.parseFrom(graphDef), signature, variablesFrozen);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("frozen graph payload is corrupt", e);
    }
  }
}
