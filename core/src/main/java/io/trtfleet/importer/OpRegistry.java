package io.trtfleet.importer;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;

/**
 * The op definitions TensorFlow Java has registered, plus TF-TRT's TRTEngineOp, which stock
 * TensorFlow no longer registers but which converted models still contain.
 */
public final class OpRegistry {

  public static final String TRT_ENGINE_OP = "TRTEngineOp";

  private static final OpRegistry INSTANCE = new OpRegistry();

  private final Map<String, OpDef> ops = new HashMap<>();

  private OpRegistry() {
    for (OpDef def : TensorFlow.registeredOpList().getOpList()) {
      ops.put(def.getName(), def);
    }
    // From tensorflow/compiler/tf2tensorrt/ops/trt_engine_op.cc: in_tensor: InT, out_tensor: OutT.
    ops.putIfAbsent(TRT_ENGINE_OP, OpDef.newBuilder().setName(TRT_ENGINE_OP)
        .addInputArg(OpDef.ArgDef.newBuilder().setName("in_tensor").setTypeListAttr("InT"))
        .addOutputArg(OpDef.ArgDef.newBuilder().setName("out_tensor").setTypeListAttr("OutT"))
        .build());
  }

  public static OpRegistry get() {
    return INSTANCE;
  }

  public Optional<OpDef> op(String name) {
    return Optional.ofNullable(ops.get(name));
  }

  /** True when TensorFlow itself can run the op (TRTEngineOp cannot, here). */
  public boolean isRunnable(String name) {
    return ops.containsKey(name) && !name.equals(TRT_ENGINE_OP);
  }

  /**
   * How many tensors an argument of a node stands for: 1, or the length its number/type-list
   * attribute gives.
   */
  public static int argLength(OpDef.ArgDef arg, NodeDef node) {
    if (!arg.getNumberAttr().isEmpty()) {
      AttrValue n = node.getAttrMap().get(arg.getNumberAttr());
      return n == null ? 1 : (int) n.getI();
    }
    if (!arg.getTypeListAttr().isEmpty()) {
      AttrValue list = node.getAttrMap().get(arg.getTypeListAttr());
      return list == null ? 1 : list.getList().getTypeCount();
    }
    return 1;
  }

  /**
   * The flat output index of {@code argName:index} on a node, as function bodies name outputs
   * ({@code conv/Conv2D:output:0}); -1 when the op has no such output argument.
   */
  public static int flatOutputIndex(OpDef def, NodeDef node, String argName, int index) {
    int base = 0;
    for (OpDef.ArgDef arg : def.getOutputArgList()) {
      if (arg.getName().equals(argName)) {
        return base + index;
      }
      base += argLength(arg, node);
    }
    return -1;
  }
}
