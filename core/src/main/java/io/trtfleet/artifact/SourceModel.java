package io.trtfleet.artifact;

import com.google.protobuf.InvalidProtocolBufferException;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelReader;
import java.io.Serializable;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;

/**
 * What the converted SavedModel keeps of its source: the SavedModel schema version, the chosen MetaGraph's
 * meta info and signatures (its graph is replaced by the converted one, so it is not kept), and the
 * signature that was converted. Small and serializable, so a Spark task can write the TF-TRT layout
 * without reading the source SavedModel's folder.
 */
public record SourceModel(long schemaVersion, byte[] metaGraph, String signatureKey) implements Serializable {

  public static SourceModel read(ImportOptions source) {
    SavedModel original = SavedModelReader.read(source.modelDir());
    MetaGraphDef meta = SavedModelReader.metaGraph(original, source.modelDir(), source.tags());
    return new SourceModel(original.getSavedModelSchemaVersion(),
        meta.toBuilder().clearGraphDef().build().toByteArray(), source.signatureKey());
  }

  /** The source MetaGraph without its graph. */
  public MetaGraphDef metaGraphDef() {
    try {
      return MetaGraphDef.parseFrom(metaGraph);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("source MetaGraph bytes are damaged", e);
    }
  }
}
