package io.trtfleet.artifact;

import java.util.List;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.OpDef;

/**
 * TF-TRT's op definitions, transcribed from tensorflow/compiler/tf2tensorrt/ops/trt_engine_op.cc and
 * trt_engine_resource_ops.cc: stock TensorFlow no longer registers them, but a converted SavedModel
 * lists the ops it uses in its MetaGraph's stripped_op_list.
 */
public final class TrtOpDefs {

  public static final String TRT_ENGINE_OP = "TRTEngineOp";
  public static final String CREATE_RESOURCE = "CreateTRTResourceHandle";
  public static final String INITIALIZE_RESOURCE = "InitializeTRTResource";

  private TrtOpDefs() {}

  public static List<OpDef> all() {
    return List.of(trtEngineOp(), createTrtResourceHandle(), initializeTrtResource());
  }

  public static OpDef trtEngineOp() {
    return OpDef.newBuilder().setName(TRT_ENGINE_OP)
        .addInputArg(OpDef.ArgDef.newBuilder().setName("in_tensor").setTypeListAttr("InT"))
        .addOutputArg(OpDef.ArgDef.newBuilder().setName("out_tensor").setTypeListAttr("OutT"))
        .addAttr(attr("serialized_segment", "string", null))
        .addAttr(attr("segment_func", "func", AttrValue.newBuilder()
            .setFunc(org.tensorflow.proto.NameAttrList.getDefaultInstance()).build()))
        .addAttr(typeList("InT", DataType.DT_BOOL, DataType.DT_INT8, DataType.DT_HALF, DataType.DT_FLOAT,
            DataType.DT_INT32, DataType.DT_RESOURCE))
        .addAttr(typeList("OutT", DataType.DT_BOOL, DataType.DT_INT8, DataType.DT_HALF, DataType.DT_FLOAT,
            DataType.DT_INT32))
        .addAttr(attr("input_shapes", "list(shape)", emptyList()))
        .addAttr(attr("output_shapes", "list(shape)", emptyList()))
        .addAttr(attr("max_cached_engines_count", "int", AttrValue.newBuilder().setI(1).build()))
        .addAttr(attr("max_batch_size", "int", AttrValue.newBuilder().setI(1).build()))
        .addAttr(attr("workspace_size_bytes", "int", null))
        .addAttr(attr("precision_mode", "string", null).toBuilder().setAllowedValues(AttrValue.newBuilder()
            .setList(AttrValue.ListValue.newBuilder().addS(bytes("FP32")).addS(bytes("FP16")).addS(bytes("INT8")))))
        .addAttr(attr("calibration_data", "string", AttrValue.newBuilder().setS(bytes("")).build()))
        .addAttr(attr("use_calibration", "bool", AttrValue.newBuilder().setB(true).build()))
        .addAttr(attr("segment_funcdef_name", "string", AttrValue.newBuilder().setS(bytes("")).build()))
        .addAttr(attr("cached_engine_batches", "list(int)", emptyList()).toBuilder().setHasMinimum(true))
        .addAttr(attr("fixed_input_size", "bool", AttrValue.newBuilder().setB(true).build()))
        .addAttr(attr("static_engine", "bool", AttrValue.newBuilder().setB(true).build()))
        .addAttr(attr("profile_strategy", "string", AttrValue.newBuilder().setS(bytes("")).build()))
        .addAttr(attr("use_explicit_precision", "bool", AttrValue.newBuilder().setB(false).build()))
        .build();
  }

  public static OpDef createTrtResourceHandle() {
    return OpDef.newBuilder().setName(CREATE_RESOURCE)
        .addOutputArg(OpDef.ArgDef.newBuilder().setName("resource_handle").setType(DataType.DT_RESOURCE))
        .addAttr(attr("resource_name", "string", null))
        .setIsStateful(true)
        .build();
  }

  public static OpDef initializeTrtResource() {
    return OpDef.newBuilder().setName(INITIALIZE_RESOURCE)
        .addInputArg(OpDef.ArgDef.newBuilder().setName("resource_handle").setType(DataType.DT_RESOURCE))
        .addInputArg(OpDef.ArgDef.newBuilder().setName("filename").setType(DataType.DT_STRING))
        .addAttr(attr("max_cached_engines_count", "int", AttrValue.newBuilder().setI(1).build()))
        .setIsStateful(true)
        .build();
  }

  private static OpDef.AttrDef attr(String name, String type, AttrValue defaultValue) {
    OpDef.AttrDef.Builder a = OpDef.AttrDef.newBuilder().setName(name).setType(type);
    if (defaultValue != null) {
      a.setDefaultValue(defaultValue);
    }
    return a.build();
  }

  private static OpDef.AttrDef typeList(String name, DataType... allowed) {
    AttrValue.ListValue.Builder list = AttrValue.ListValue.newBuilder();
    for (DataType t : allowed) {
      list.addType(t);
    }
    return OpDef.AttrDef.newBuilder().setName(name).setType("list(type)")
        .setAllowedValues(AttrValue.newBuilder().setList(list)).build();
  }

  private static AttrValue emptyList() {
    return AttrValue.newBuilder().setList(AttrValue.ListValue.getDefaultInstance()).build();
  }

  private static com.google.protobuf.ByteString bytes(String s) {
    return com.google.protobuf.ByteString.copyFromUtf8(s);
  }
}
