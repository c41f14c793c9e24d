package io.trtfleet.importer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NameAttrList;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.proto.VersionDef;

/**
 * SavedModels written as protos, for graphs TensorFlow Java cannot build here: functional control flow
 * and TF-TRT's TRTEngineOp (which stock TensorFlow no longer registers).
 */
final class CraftedModels {

  private CraftedModels() {}

  static AttrValue type(DataType t) {
    return AttrValue.newBuilder().setType(t).build();
  }

  static AttrValue types(DataType... ts) {
    return AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder().addAllType(List.of(ts))).build();
  }

  static TensorShapeProto shape(long... dims) {
    TensorShapeProto.Builder b = TensorShapeProto.newBuilder();
    for (long d : dims) {
      b.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return b.build();
  }

  static NodeDef placeholder(String name, long... dims) {
    return NodeDef.newBuilder().setName(name).setOp("Placeholder").putAttr("dtype", type(DataType.DT_FLOAT))
        .putAttr("shape", AttrValue.newBuilder().setShape(shape(dims)).build()).build();
  }

  static TensorInfo info(String name, long... dims) {
    return TensorInfo.newBuilder().setName(name).setDtype(DataType.DT_FLOAT).setTensorShape(shape(dims)).build();
  }

  static Path write(Path dir, GraphDef graph, SignatureDef signature) throws IOException {
    Files.createDirectories(dir);
    MetaGraphDef mg = MetaGraphDef.newBuilder()
        .setMetaInfoDef(MetaGraphDef.MetaInfoDef.newBuilder().addTags("serve"))
        .setGraphDef(graph.toBuilder().setVersions(VersionDef.newBuilder().setProducer(1205)))
        .putSignatureDef("serving_default", signature)
        .build();
    Files.write(dir.resolve("saved_model.pb"),
        SavedModel.newBuilder().setSavedModelSchemaVersion(1).addMetaGraphs(mg).build().toByteArray());
    return dir;
  }

  /** x -> StatelessWhile (body and cond functions named but not needed to reject it) -> y. */
  static Path withWhileLoop(Path dir) throws IOException {
    GraphDef g = GraphDef.newBuilder()
        .addNode(placeholder("x", -1, 4))
        .addNode(NodeDef.newBuilder().setName("loop").setOp("StatelessWhile").addInput("x")
            .putAttr("T", types(DataType.DT_FLOAT))
            .putAttr("cond", AttrValue.newBuilder().setFunc(NameAttrList.newBuilder().setName("cond")).build())
            .putAttr("body", AttrValue.newBuilder().setFunc(NameAttrList.newBuilder().setName("body")).build()))
        .addNode(NodeDef.newBuilder().setName("y").setOp("Identity").addInput("loop").putAttr("T", type(DataType.DT_FLOAT)))
        .build();
    return write(dir, g, SignatureDef.newBuilder().putInputs("x", info("x:0", -1, 4))
        .putOutputs("y", info("y:0", -1, 4)).setMethodName("tensorflow/serving/predict").build());
  }

  /**
   * The shape of TF-TRT's backward-compatibility model after conversion: two inputs feed a
   * TRTEngineOp (with TF-TRT's attributes) whose output goes through Identity "output".
   */
  static Path alreadyConverted(Path dir) throws IOException {
    NodeDef engine = NodeDef.newBuilder().setName("TRTEngineOp_000_000").setOp("TRTEngineOp")
        .addInput("input1").addInput("input2")
        .putAttr("InT", types(DataType.DT_FLOAT, DataType.DT_FLOAT))
        .putAttr("OutT", types(DataType.DT_FLOAT))
        .putAttr("input_shapes", AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder()
            .addShape(shape(-1, 1, 1)).addShape(shape(-1, 1, 1))).build())
        .putAttr("output_shapes", AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder()
            .addShape(shape(-1, 1, 1))).build())
        .putAttr("serialized_segment", AttrValue.newBuilder().setS(com.google.protobuf.ByteString.EMPTY).build())
        .putAttr("segment_func", AttrValue.newBuilder().setFunc(NameAttrList.newBuilder()
            .setName("TRTEngineOp_000_000_native_segment")).build())
        .putAttr("precision_mode", AttrValue.newBuilder().setS(com.google.protobuf.ByteString.copyFromUtf8("FP32")).build())
        .putAttr("max_cached_engines_count", AttrValue.newBuilder().setI(1).build())
        .putAttr("static_engine", AttrValue.newBuilder().setB(true).build())
        .build();
    GraphDef g = GraphDef.newBuilder()
        .addNode(placeholder("input1", -1, 1, 1))
        .addNode(placeholder("input2", -1, 1, 1))
        .addNode(engine)
        .addNode(NodeDef.newBuilder().setName("output").setOp("Identity").addInput("TRTEngineOp_000_000")
            .putAttr("T", type(DataType.DT_FLOAT)))
        .build();
    return write(dir, g, SignatureDef.newBuilder()
        .putInputs("input1", info("input1:0", -1, 1, 1)).putInputs("input2", info("input2:0", -1, 1, 1))
        .putOutputs("output", info("output:0", -1, 1, 1)).setMethodName("tensorflow/serving/predict").build());
  }
}
