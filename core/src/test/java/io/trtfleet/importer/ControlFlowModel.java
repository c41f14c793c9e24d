package io.trtfleet.importer;

import static io.trtfleet.importer.CraftedModels.info;
import static io.trtfleet.importer.CraftedModels.placeholder;
import static io.trtfleet.importer.CraftedModels.shape;
import static io.trtfleet.importer.CraftedModels.type;
import static io.trtfleet.importer.CraftedModels.types;

import com.google.protobuf.ByteString;
import io.trtfleet.graph.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.FunctionDefLibrary;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NameAttrList;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.SaverDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.VersionDef;

/**
 * A TF2-style model whose functional control flow reads a resource variable inside its functions, as a
 * generic Keras RNN's loop body and a tf.cond branch do: {@code h = x; 3 times h = tanh(h @ U)} in a
 * StatelessWhile, and {@code flag ? x @ U : -x} in a StatelessIf, U a 4x4 resource variable passed to both
 * as a function argument. A second signature {@code train} adds {@code delta} to U through a control
 * dependency of its output, and a second MetaGraph without tags holds the same graph. The checkpoint is
 * written by TensorFlow (SaveV2 run in a session).
 */
final class ControlFlowModel {

  static final long HIDDEN = 4;
  static final int STEPS = 3;

  private ControlFlowModel() {}

  /** U, row-major: the variable's value. */
  static float[] weights() {
    float[] u = new float[(int) (HIDDEN * HIDDEN)];
    for (int i = 0; i < u.length; i++) {
      u[i] = (float) Math.sin(i + 1) * 0.5f;
    }
    return u;
  }

  static Path write(Path dir) throws IOException {
    GraphDef graph = GraphDef.newBuilder()
        .setVersions(VersionDef.newBuilder().setProducer(1205))
        .addNode(NodeDef.newBuilder().setName("U").setOp("VarHandleOp").putAttr("dtype", type(DataType.DT_FLOAT))
            .putAttr("shape", AttrValue.newBuilder().setShape(shape(HIDDEN, HIDDEN)).build())
            .putAttr("shared_name", string("U")))
        .addNode(placeholder("x", -1, HIDDEN))
        .addNode(NodeDef.newBuilder().setName("flag").setOp("Placeholder").putAttr("dtype", type(DataType.DT_BOOL))
            .putAttr("shape", AttrValue.newBuilder().setShape(shape()).build()))
        .addNode(constInt("zero", 0))
        .addNode(NodeDef.newBuilder().setName("loop").setOp("StatelessWhile").addInput("zero").addInput("x")
            .addInput("U")
            .putAttr("T", types(DataType.DT_INT32, DataType.DT_FLOAT, DataType.DT_RESOURCE))
            .putAttr("cond", func("cond")).putAttr("body", func("body"))
            .putAttr("output_shapes", AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder()
                .addShape(shape()).addShape(shape(-1, HIDDEN)).addShape(shape())).build())
            .putAttr("parallel_iterations", AttrValue.newBuilder().setI(10).build()))
        .addNode(identity("rnn", "loop:1"))
        .addNode(NodeDef.newBuilder().setName("branch").setOp("StatelessIf").addInput("flag").addInput("x")
            .addInput("U")
            .putAttr("Tcond", type(DataType.DT_BOOL))
            .putAttr("Tin", types(DataType.DT_FLOAT, DataType.DT_RESOURCE))
            .putAttr("Tout", types(DataType.DT_FLOAT))
            .putAttr("then_branch", func("project")).putAttr("else_branch", func("negate"))
            .putAttr("output_shapes", AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder()
                .addShape(shape(-1, HIDDEN))).build()))
        .addNode(identity("cond_out", "branch"))
        // train: output = x, with the variable update as a control dependency (a TF1-style train op)
        .addNode(placeholder("delta", HIDDEN, HIDDEN))
        .addNode(NodeDef.newBuilder().setName("update").setOp("AssignAddVariableOp").addInput("U").addInput("delta")
            .putAttr("dtype", type(DataType.DT_FLOAT)))
        .addNode(NodeDef.newBuilder().setName("loss").setOp("Identity").addInput("x").addInput("^update")
            .putAttr("T", type(DataType.DT_FLOAT)))
        // initialization and checkpoint
        .addNode(NodeDef.newBuilder().setName("U/init_value").setOp("Const").putAttr("dtype", type(DataType.DT_FLOAT))
            .putAttr("value", AttrValue.newBuilder().setTensor(floats(weights(), HIDDEN, HIDDEN)).build()))
        .addNode(NodeDef.newBuilder().setName("U/assign").setOp("AssignVariableOp").addInput("U")
            .addInput("U/init_value").putAttr("dtype", type(DataType.DT_FLOAT)))
        .addNode(NodeDef.newBuilder().setName("save/filename").setOp("Placeholder")
            .putAttr("dtype", type(DataType.DT_STRING)).putAttr("shape", AttrValue.newBuilder().setShape(shape()).build()))
        .addNode(strings("save/names", "U"))
        .addNode(strings("save/slices", ""))
        .addNode(NodeDef.newBuilder().setName("save/read").setOp("ReadVariableOp").addInput("U")
            .putAttr("dtype", type(DataType.DT_FLOAT)))
        .addNode(NodeDef.newBuilder().setName("save/save").setOp("SaveV2").addInput("save/filename")
            .addInput("save/names").addInput("save/slices").addInput("save/read")
            .putAttr("dtypes", types(DataType.DT_FLOAT)))
        .addNode(NodeDef.newBuilder().setName("save/restore").setOp("RestoreV2").addInput("save/filename")
            .addInput("save/names").addInput("save/slices").putAttr("dtypes", types(DataType.DT_FLOAT)))
        .addNode(NodeDef.newBuilder().setName("save/restore_all").setOp("AssignVariableOp").addInput("U")
            .addInput("save/restore").putAttr("dtype", type(DataType.DT_FLOAT)))
        .setLibrary(FunctionDefLibrary.newBuilder().addFunction(cond()).addFunction(body())
            .addFunction(project()).addFunction(negate()))
        .build();
    Files.createDirectories(dir.resolve("variables"));
    try (Graph g = new Graph()) {
      g.importGraphDef(graph);
      try (Session s = new Session(g);
          Tensor prefix = org.tensorflow.types.TString.scalarOf(dir.resolve("variables/variables").toString())) {
        s.runner().addTarget("U/assign").run();
        s.runner().feed("save/filename", prefix).addTarget("save/save").run();
      }
    }
    SignatureDef serving = SignatureDef.newBuilder().setMethodName("tensorflow/serving/predict")
        .putInputs("x", info("x:0", -1, HIDDEN))
        .putInputs("flag", TensorInfo.newBuilder().setName("flag:0").setDtype(DataType.DT_BOOL)
            .setTensorShape(shape()).build())
        .putOutputs("rnn", info("rnn:0", -1, HIDDEN))
        .putOutputs("cond", info("cond_out:0", -1, HIDDEN)).build();
    SignatureDef train = SignatureDef.newBuilder().setMethodName("tensorflow/serving/predict")
        .putInputs("x", info("x:0", -1, HIDDEN)).putInputs("delta", info("delta:0", HIDDEN, HIDDEN))
        .putOutputs("loss", info("loss:0", -1, HIDDEN)).build();
    SaverDef saver = SaverDef.newBuilder().setFilenameTensorName("save/filename:0")
        .setSaveTensorName("save/save").setRestoreOpName("save/restore_all").build();
    MetaGraphDef serve = MetaGraphDef.newBuilder()
        .setMetaInfoDef(MetaGraphDef.MetaInfoDef.newBuilder().addTags("serve"))
        .setGraphDef(graph).setSaverDef(saver)
        .putSignatureDef("serving_default", serving).putSignatureDef("train", train).build();
    MetaGraphDef untagged = serve.toBuilder().setMetaInfoDef(MetaGraphDef.MetaInfoDef.getDefaultInstance())
        .clearSignatureDef().putSignatureDef("module", serving).build();
    Files.write(dir.resolve("saved_model.pb"), SavedModel.newBuilder().setSavedModelSchemaVersion(1)
        .addMetaGraphs(serve).addMetaGraphs(untagged).build().toByteArray());
    return dir;
  }

  /** What the loop computes, in plain Java: {@value #STEPS} times h = tanh(h @ U). */
  static float[] rnn(float[] x) {
    float[] u = weights();
    float[] h = x.clone();
    for (int step = 0; step < STEPS; step++) {
      h = matmul(h, u);
      for (int i = 0; i < h.length; i++) {
        h[i] = (float) Math.tanh(h[i]);
      }
    }
    return h;
  }

  static float[] matmul(float[] x, float[] u) {
    int n = (int) HIDDEN;
    float[] out = new float[x.length];
    for (int r = 0; r < x.length / n; r++) {
      for (int c = 0; c < n; c++) {
        double acc = 0;
        for (int k = 0; k < n; k++) {
          acc += x[r * n + k] * u[k * n + c];
        }
        out[r * n + c] = (float) acc;
      }
    }
    return out;
  }

  private static FunctionDef cond() {
    return FunctionDef.newBuilder().setSignature(OpDef.newBuilder().setName("cond")
            .addInputArg(arg("i", DataType.DT_INT32)).addInputArg(arg("h", DataType.DT_FLOAT))
            .addInputArg(arg("u", DataType.DT_RESOURCE)).addOutputArg(arg("more", DataType.DT_BOOL)))
        .addNodeDef(constInt("steps", STEPS))
        .addNodeDef(NodeDef.newBuilder().setName("less").setOp("Less").addInput("i").addInput("steps:output:0")
            .putAttr("T", type(DataType.DT_INT32)))
        .putRet("more", "less:z:0").build();
  }

  private static FunctionDef body() {
    return FunctionDef.newBuilder().setSignature(OpDef.newBuilder().setName("body")
            .addInputArg(arg("i", DataType.DT_INT32)).addInputArg(arg("h", DataType.DT_FLOAT))
            .addInputArg(arg("u", DataType.DT_RESOURCE)).addOutputArg(arg("i_next", DataType.DT_INT32))
            .addOutputArg(arg("h_next", DataType.DT_FLOAT)).addOutputArg(arg("u_out", DataType.DT_RESOURCE)))
        .addNodeDef(constInt("one", 1))
        .addNodeDef(NodeDef.newBuilder().setName("next").setOp("AddV2").addInput("i").addInput("one:output:0")
            .putAttr("T", type(DataType.DT_INT32)))
        .addNodeDef(NodeDef.newBuilder().setName("read").setOp("ReadVariableOp").addInput("u")
            .putAttr("dtype", type(DataType.DT_FLOAT)))
        .addNodeDef(NodeDef.newBuilder().setName("mm").setOp("MatMul").addInput("h").addInput("read:value:0")
            .putAttr("T", type(DataType.DT_FLOAT)))
        .addNodeDef(NodeDef.newBuilder().setName("act").setOp("Tanh").addInput("mm:product:0")
            .putAttr("T", type(DataType.DT_FLOAT)))
        .putRet("i_next", "next:z:0").putRet("h_next", "act:y:0").putRet("u_out", "u").build();
  }

  private static FunctionDef project() {
    return FunctionDef.newBuilder().setSignature(OpDef.newBuilder().setName("project")
            .addInputArg(arg("x", DataType.DT_FLOAT)).addInputArg(arg("u", DataType.DT_RESOURCE))
            .addOutputArg(arg("y", DataType.DT_FLOAT)))
        .addNodeDef(NodeDef.newBuilder().setName("read").setOp("ReadVariableOp").addInput("u")
            .putAttr("dtype", type(DataType.DT_FLOAT)))
        .addNodeDef(NodeDef.newBuilder().setName("mm").setOp("MatMul").addInput("x").addInput("read:value:0")
            .putAttr("T", type(DataType.DT_FLOAT)))
        .putRet("y", "mm:product:0").build();
  }

  private static FunctionDef negate() {
    return FunctionDef.newBuilder().setSignature(OpDef.newBuilder().setName("negate")
            .addInputArg(arg("x", DataType.DT_FLOAT)).addInputArg(arg("u", DataType.DT_RESOURCE))
            .addOutputArg(arg("y", DataType.DT_FLOAT)))
        .addNodeDef(NodeDef.newBuilder().setName("neg").setOp("Neg").addInput("x")
            .putAttr("T", type(DataType.DT_FLOAT)))
        .putRet("y", "neg:y:0").build();
  }

  private static OpDef.ArgDef arg(String name, DataType t) {
    return OpDef.ArgDef.newBuilder().setName(name).setType(t).build();
  }

  private static AttrValue func(String name) {
    return AttrValue.newBuilder().setFunc(NameAttrList.newBuilder().setName(name)).build();
  }

  private static AttrValue string(String s) {
    return AttrValue.newBuilder().setS(ByteString.copyFromUtf8(s)).build();
  }

  private static NodeDef identity(String name, String input) {
    return NodeDef.newBuilder().setName(name).setOp("Identity").addInput(input).putAttr("T", type(DataType.DT_FLOAT))
        .build();
  }

  private static NodeDef constInt(String name, int value) {
    return NodeDef.newBuilder().setName(name).setOp("Const").putAttr("dtype", type(DataType.DT_INT32))
        .putAttr("value", AttrValue.newBuilder().setTensor(TensorProto.newBuilder().setDtype(DataType.DT_INT32)
            .setTensorShape(shape()).addIntVal(value)).build()).build();
  }

  private static NodeDef strings(String name, String value) {
    return NodeDef.newBuilder().setName(name).setOp("Const").putAttr("dtype", type(DataType.DT_STRING))
        .putAttr("value", AttrValue.newBuilder().setTensor(TensorProto.newBuilder().setDtype(DataType.DT_STRING)
            .setTensorShape(shape(1)).addStringVal(ByteString.copyFromUtf8(value))).build()).build();
  }

  private static TensorProto floats(float[] values, long... dims) {
    return TensorProto.newBuilder()
        .setDtype(DataType.DT_FLOAT).setTensorShape(shape(dims))
        .setTensorContent(ByteString.copyFrom(HostTensor.ofFloats(dims, values).data())).build();
  }
}
