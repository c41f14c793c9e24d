package io.trtfleet.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.ImportedModel;
import io.trtfleet.importer.SavedModelImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NameAttrList;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TFloat32;

/** A SavedModel TF-TRT converted before: its TRTEngineOp is reported, not converted again, not fatal. */
class AlreadyConvertedModelTest {

  @TempDir Path tmp;

  @Test
  void trtEngineOpIsReportedAsAlreadyConverted() throws Exception {
    Path dir = convertedModel(tmp.resolve("converted"));
    ImportedModel imported = SavedModelImporter.importModel(ImportOptions.of(dir));
    assertEquals(List.of("TRTEngineOp_000_000"), imported.alreadyConverted());

    SegmentedGraph s = new Segmenter(SegmenterOptions.defaults()).segment(imported.graph());
    Rejection engine = s.notConverted().stream().filter(r -> r.op().equals("TRTEngineOp")).findFirst().orElseThrow();
    assertEquals(new Rejection("TRTEngineOp_000_000", "TRTEngineOp", "already converted (a TF-TRT engine, kept as is)"),
        engine);
    assertEquals(1, s.segments().size());
    Segment e = s.segments().get(0);
    assertEquals("TRTEngineOp_001_000", e.name(), "sequence 000 is taken by the engine converted before");
    assertEquals(List.of("relu", "sigmoid", "tanh"), e.nodes());
    assertEquals(List.of(new TensorSpec("TRTEngineOp_000_000:0", DataType.DT_FLOAT, new long[] {-1, 8})), e.inputs());
  }

  /** x -> TRTEngineOp_000_000 -> relu -> sigmoid -> tanh -> out, with TF-TRT's attributes and native segment. */
  static Path convertedModel(Path dir) throws Exception {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8)));
      Operand<TFloat32> h = tf.withName("relu").nn.relu(x);
      h = tf.withName("sigmoid").math.sigmoid(h);
      h = tf.withName("tanh").math.tanh(h);
      Operand<TFloat32> out = tf.withName("out").identity(h);
      try (Session session = new Session(graph)) {
        SavedModelBundle.exporter(dir.toString()).withTags("serve").withSession(session)
            .withSignature(Signature.builder().key("serving_default").input("x", x).output("out", out).build())
            .export();
      }
    }
    Path pb = dir.resolve("saved_model.pb");
    SavedModel model = SavedModel.parseFrom(Files.readAllBytes(pb));
    MetaGraphDef meta = model.getMetaGraphs(0);
    GraphDef.Builder g = meta.getGraphDef().toBuilder();
    for (NodeDef.Builder n : g.getNodeBuilderList()) {
      if (n.getName().equals("relu")) {
        n.setInput(0, "TRTEngineOp_000_000");
      }
    }
    g.addNode(trtEngineOp());
    g.getLibraryBuilder().addFunction(FunctionDef.newBuilder()
        .setSignature(OpDef.newBuilder().setName("TRTEngineOp_000_000_native_segment")
            .addInputArg(OpDef.ArgDef.newBuilder().setName("input_0").setType(DataType.DT_FLOAT))
            .addOutputArg(OpDef.ArgDef.newBuilder().setName("output_0").setType(DataType.DT_FLOAT)))
        .addNodeDef(NodeDef.newBuilder().setName("square").setOp("Square").addInput("input_0")
            .putAttr("T", TestGraph.type(DataType.DT_FLOAT)))
        .putRet("output_0", "square:y:0"));
    SavedModel edited = model.toBuilder().setMetaGraphs(0, meta.toBuilder().setGraphDef(g)).build();
    Files.write(pb, edited.toByteArray());
    return dir;
  }

  /** The attributes of tensorflow/compiler/tf2tensorrt/ops/trt_engine_op.cc, as TF-TRT 2.x writes them. */
  private static NodeDef trtEngineOp() {
    AttrValue floats = AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder().addType(DataType.DT_FLOAT))
        .build();
    TensorShapeProto shape = TensorSpec.toProto(new long[] {-1, 8});
    AttrValue shapes = AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder().addShape(shape)).build();
    return NodeDef.newBuilder().setName("TRTEngineOp_000_000").setOp("TRTEngineOp").addInput("x")
        .putAttr("InT", floats).putAttr("OutT", floats)
        .putAttr("input_shapes", shapes).putAttr("output_shapes", shapes)
        .putAttr("serialized_segment", AttrValue.newBuilder().setS(ByteString.EMPTY).build())
        .putAttr("segment_func", AttrValue.newBuilder().setFunc(NameAttrList.newBuilder()
            .setName("TRTEngineOp_000_000_native_segment")).build())
        .putAttr("max_cached_engines_count", AttrValue.newBuilder().setI(1).build())
        .putAttr("max_batch_size", AttrValue.newBuilder().setI(1).build())
        .putAttr("workspace_size_bytes", AttrValue.newBuilder().setI(1L << 30).build())
        .putAttr("precision_mode", TestGraph.str("FP32"))
        .putAttr("calibration_data", TestGraph.str(""))
        .putAttr("use_calibration", AttrValue.newBuilder().setB(false).build())
        .putAttr("static_engine", AttrValue.newBuilder().setB(false).build())
        .putAttr("profile_strategy", TestGraph.str("Range"))
        .putAttr("use_explicit_precision", AttrValue.newBuilder().setB(false).build())
        .putAttr("_use_implicit_batch", AttrValue.newBuilder().setB(true).build())
        .putAttr("_allow_build_at_runtime", AttrValue.newBuilder().setB(true).build())
        .build();
  }
}
