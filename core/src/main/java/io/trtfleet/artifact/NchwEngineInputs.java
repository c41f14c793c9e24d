package io.trtfleet.artifact;

import io.trtfleet.TrtfleetException;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.segment.Segment;
import io.trtfleet.tensorrt.EngineArtifact;
import io.trtfleet.tensorrt.EngineMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * TF-TRT's side of an engine that binds an NHWC image NCHW ({@link EngineMetadata.IoTensor#nchwOfNhwc}).
 * TRTEngineOp hands TensorRT a tensor's bytes and its TensorFlow shape, so TensorFlow shapes the image for
 * the engine in front of it: a Reshape relabels [N,H,W,C] as [N,C,H,W] for a channel-last binding (NHWC
 * bytes, none move), a Transpose moves the bytes for a channel-first one. The native segment, which
 * TensorFlow runs when the engine cannot serve a batch, undoes that first: both paths compute what the
 * source graph computes. A relabel's shape is gathered from the tensor's own, so dynamic batch and image
 * sizes pass too.
 */
final class NchwEngineInputs {

  /** How TensorFlow turns the NHWC tensor into the engine's NCHW one. */
  enum Move {
    /** Only the labels: the engine reads NHWC bytes (channel-last). */
    RESHAPE,
    /** The bytes too: the engine reads NCHW bytes (channel-first). */
    TRANSPOSE
  }

  /** Dimension {@code i} of the engine's shape is dimension {@code TO_ENGINE[i]} of TensorFlow's (and back). */
  private static final int[] TO_ENGINE = {0, 3, 1, 2};
  private static final int[] TO_TENSORFLOW = {0, 2, 3, 1};

  private NchwEngineInputs() {}

  /** The segment inputs {@code engine} binds NCHW, by index, and how each gets there (none without an engine). */
  static SortedMap<Integer, Move> inputs(Segment segment, EngineArtifact engine) {
    SortedMap<Integer, Move> out = new TreeMap<>();
    if (engine == null || engine.metadata() == null) {
      return out;
    }
    for (int i = 0; i < segment.inputs().size(); i++) {
      String name = segment.inputs().get(i).name();
      Optional<EngineMetadata.IoTensor> binding = engine.metadata().io().stream()
          .filter(t -> t.input() && t.nchwOfNhwc() && t.name().equals(name)).findFirst();
      if (binding.isPresent()) {
        if (segment.inputs().get(i).rank() != 4) {
          throw new TrtfleetException("engine " + segment.name() + " binds input " + name + " NCHW (" + binding.get()
              .format() + "), but it is not an NHWC image (rank " + segment.inputs().get(i).rank() + "): rebuild it"
              + " with --image-binding AS_SHAPED");
        }
        out.put(i, binding.get().channelFirst() ? Move.TRANSPOSE : Move.RESHAPE);
      }
    }
    return out;
  }

  /** An NHWC shape (or partial shape) in the order the engine binds it. */
  static long[] engineOrder(long[] nhwc) {
    return permute(nhwc, TO_ENGINE);
  }

  /**
   * Adds, through {@code add}, the nodes that shape {@code input} (a GraphDef input string) for input
   * {@code index} of {@code engine}; returns the engine's tensor's input string.
   */
  static String toEngine(Consumer<NodeDef> add, String engine, int index, String input, Move move) {
    String base = engine + (move == Move.RESHAPE ? "/channel_last_" : "/channel_first_") + index;
    reorder(base, input, TO_ENGINE, ":0", move, add);
    return base;
  }

  /** {@code f} with each of {@code inputs}' arguments brought back to NHWC before its body reads it. */
  static FunctionDef toTensorFlow(FunctionDef f, Map<Integer, Move> inputs) {
    if (inputs.isEmpty()) {
      return f;
    }
    FunctionDef.Builder b = f.toBuilder().clearNodeDef();
    List<NodeDef> added = new ArrayList<>();
    Map<String, String> rename = new java.util.HashMap<>();
    for (Map.Entry<Integer, Move> in : inputs.entrySet()) {
      String arg = f.getSignature().getInputArg(in.getKey()).getName();
      String base = arg + "_nhwc";
      reorder(base, arg, TO_TENSORFLOW, ":output:0", in.getValue(), added::add);
      // A function body names an output by its op's output argument: Reshape's is "output", Transpose's "y".
      rename.put(arg, base + (in.getValue() == Move.TRANSPOSE ? ":y:0" : ":output:0"));
    }
    b.addAllNodeDef(added);
    for (NodeDef n : f.getNodeDefList()) {
      NodeDef.Builder nb = n.toBuilder().clearInput();
      n.getInputList().forEach(in -> nb.addInput(rename.getOrDefault(in, in)));
      b.addNodeDef(nb);
    }
    f.getRetMap().forEach((k, v) -> b.putRet(k, rename.getOrDefault(v, v)));
    return b.build();
  }

  /**
   * {@code base} = Reshape({@code x}, Gather(Shape({@code x}), order)) or Transpose({@code x}, order);
   * {@code ref} is how the graph or function body names a node's first output ({@code ":0"} or
   * {@code ":output:0"}).
   */
  private static void reorder(String base, String x, int[] order, String ref, Move move, Consumer<NodeDef> add) {
    if (move == Move.TRANSPOSE) {
      add.accept(constInts(base + "/perm", order));
      add.accept(NodeDef.newBuilder().setName(base).setOp("Transpose").addInput(x).addInput(base + "/perm" + ref)
          .putAttr("T", type(DataType.DT_FLOAT)).putAttr("Tperm", type(DataType.DT_INT32)).build());
      return;
    }
    add.accept(NodeDef.newBuilder().setName(base + "/shape").setOp("Shape").addInput(x)
        .putAttr("T", type(DataType.DT_FLOAT)).putAttr("out_type", type(DataType.DT_INT32)).build());
    add.accept(constInts(base + "/order", order));
    add.accept(constInts(base + "/axis", new int[0]));
    add.accept(NodeDef.newBuilder().setName(base + "/dims").setOp("GatherV2")
        .addInput(base + "/shape" + ref).addInput(base + "/order" + ref).addInput(base + "/axis" + ref)
        .putAttr("Tparams", type(DataType.DT_INT32)).putAttr("Tindices", type(DataType.DT_INT32))
        .putAttr("Taxis", type(DataType.DT_INT32)).putAttr("batch_dims", AttrValue.newBuilder().setI(0).build()).build());
    add.accept(NodeDef.newBuilder().setName(base).setOp("Reshape").addInput(x).addInput(base + "/dims" + ref)
        .putAttr("T", type(DataType.DT_FLOAT)).putAttr("Tshape", type(DataType.DT_INT32)).build());
  }

  /** An int32 constant: a vector, or the scalar 0 when {@code values} is empty. */
  private static NodeDef constInts(String name, int[] values) {
    TensorProto.Builder t = TensorProto.newBuilder().setDtype(DataType.DT_INT32);
    if (values.length == 0) {
      t.setTensorShape(TensorShapeProto.getDefaultInstance()).addIntVal(0);
    } else {
      t.setTensorShape(TensorSpec.toProto(new long[] {values.length}));
      for (int v : values) {
        t.addIntVal(v);
      }
    }
    return NodeDef.newBuilder().setName(name).setOp("Const").putAttr("dtype", type(DataType.DT_INT32))
        .putAttr("value", AttrValue.newBuilder().setTensor(t).build()).build();
  }

  private static AttrValue type(DataType t) {
    return AttrValue.newBuilder().setType(t).build();
  }

  private static long[] permute(long[] s, int[] order) {
    long[] out = new long[s.length];
    for (int i = 0; i < s.length; i++) {
      out[i] = s[order[i]];
    }
    return out;
  }
}
