package io.trtfleet.artifact;

import com.google.protobuf.ByteString;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.segment.NativeSegmentBuilder;
import io.trtfleet.segment.Segment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.NameAttrList;
import org.tensorflow.proto.NodeDef;

/**
 * The TRTEngineOp node of a segment, with the attributes convert_graph.cc CreateTRTNode sets plus the
 * op-def defaults NodeDefBuilder fills in (so the node carries every attribute of the op, as TF-TRT's
 * do). TF2's converter always builds engines at runtime or restores them from the asset file, so
 * {@code static_engine} is false and {@code serialized_segment} empty.
 */
public final class TrtEngineOpAttrs {

  /** Every attribute name a TRTEngineOp written by TF-TRT for an explicit-batch engine carries. */
  public static final List<String> NAMES = List.of("serialized_segment", "segment_func", "InT", "OutT",
      "input_shapes", "output_shapes", "max_cached_engines_count", "max_batch_size", "workspace_size_bytes",
      "precision_mode", "calibration_data", "use_calibration", "segment_funcdef_name", "cached_engine_batches",
      "fixed_input_size", "static_engine", "profile_strategy", "use_explicit_precision", "_use_implicit_batch",
      "_allow_build_at_runtime");

  private TrtEngineOpAttrs() {}

  /** The node, named like the engine, reading {@code inputs} (GraphDef input strings, segment order). */
  public static NodeDef nodeDef(Segment segment, List<String> inputs, TrtEngineOpSettings settings) {
    return nodeDef(segment, inputs, settings, Set.of());
  }

  /** As above, with the inputs of {@code nchw} (indices) shaped NCHW for the engine ({@link NchwEngineInputs}). */
  static NodeDef nodeDef(Segment segment, List<String> inputs, TrtEngineOpSettings settings, Set<Integer> nchw) {
    if (inputs.size() != segment.inputs().size()) {
      throw new IllegalArgumentException("engine " + segment.name() + " has " + segment.inputs().size()
          + " inputs, not " + inputs.size());
    }
    return NodeDef.newBuilder().setName(segment.name()).setOp(TrtOpDefs.TRT_ENGINE_OP).addAllInput(inputs)
        .putAllAttr(attrs(segment, settings)).putAttr("input_shapes", inputShapes(segment, nchw)).build();
  }

  public static Map<String, AttrValue> attrs(Segment segment, TrtEngineOpSettings settings) {
    Map<String, AttrValue> a = new LinkedHashMap<>();
    a.put("serialized_segment", string(""));
    a.put("segment_func", AttrValue.newBuilder().setFunc(NameAttrList.newBuilder()
        .setName(NativeSegmentBuilder.functionName(segment.name()))).build());
    a.put("InT", types(segment.inputs()));
    a.put("OutT", types(segment.outputs()));
    a.put("input_shapes", shapes(segment.inputs()));
    a.put("output_shapes", shapes(segment.outputs()));
    a.put("max_cached_engines_count", integer(settings.maxCachedEngines()));
    a.put("max_batch_size", integer(staticBatch(segment)));
    a.put("workspace_size_bytes", integer(settings.workspaceBytes()));
    a.put("precision_mode", string(settings.precisionMode()));
    a.put("calibration_data", string(""));
    a.put("use_calibration", bool(false)); // Q/DQ or no INT8 at all: TensorRT never calibrates our engines
    a.put("segment_funcdef_name", string(""));
    a.put("cached_engine_batches", AttrValue.newBuilder().setList(AttrValue.ListValue.getDefaultInstance()).build());
    a.put("fixed_input_size", bool(true));
    a.put("static_engine", bool(false));
    a.put("profile_strategy", string(settings.profileStrategyName()));
    a.put("use_explicit_precision", bool(settings.useExplicitPrecision()));
    a.put("_use_implicit_batch", bool(false));
    a.put("_allow_build_at_runtime", bool(settings.allowBuildAtRuntime()));
    return a;
  }

  /**
   * TF-TRT records the segment's batch size when every input fixes it, and leaves its pass default
   * (-1) otherwise; dynamic batches are described by the optimization profiles instead.
   */
  static long staticBatch(Segment segment) {
    long batch = -1;
    for (TensorSpec in : segment.inputs()) {
      if (in.rank() < 1 || in.shape()[0] < 0 || (batch >= 0 && batch != in.shape()[0])) {
        return -1;
      }
      batch = in.shape()[0];
    }
    return batch;
  }

  private static AttrValue inputShapes(Segment segment, Set<Integer> nchw) {
    AttrValue.ListValue.Builder list = AttrValue.ListValue.newBuilder();
    for (int i = 0; i < segment.inputs().size(); i++) {
      long[] shape = segment.inputs().get(i).shape();
      list.addShape(TensorSpec.toProto(nchw.contains(i) ? NchwEngineInputs.engineOrder(shape) : shape));
    }
    return AttrValue.newBuilder().setList(list).build();
  }

  private static AttrValue types(List<TensorSpec> tensors) {
    AttrValue.ListValue.Builder list = AttrValue.ListValue.newBuilder();
    tensors.forEach(t -> list.addType(t.dtype()));
    return AttrValue.newBuilder().setList(list).build();
  }

  private static AttrValue shapes(List<TensorSpec> tensors) {
    AttrValue.ListValue.Builder list = AttrValue.ListValue.newBuilder();
    tensors.forEach(t -> list.addShape(TensorSpec.toProto(t.shape())));
    return AttrValue.newBuilder().setList(list).build();
  }

  private static AttrValue string(String s) {
    return AttrValue.newBuilder().setS(ByteString.copyFromUtf8(s)).build();
  }

  private static AttrValue integer(long i) {
    return AttrValue.newBuilder().setI(i).build();
  }

  private static AttrValue bool(boolean b) {
    return AttrValue.newBuilder().setB(b).build();
  }
}
