package io.trtfleet.convert;

import io.trtfleet.Precision;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.onnx.OnnxDataType;
import io.trtfleet.onnx.OnnxGraphBuilder;
import io.trtfleet.quantize.CalibrationTable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The state of one segment's conversion: the ONNX graph being built and, for every TensorFlow tensor
 * converted so far, the ONNX values that hold it. A tensor can be asked for in any layout and element
 * type; the Transpose, Cast or Q/DQ that produces it is emitted once and shared by all readers, so no
 * tensor is ever transposed or cast twice.
 */
final class ConversionContext implements AutoCloseable {

  /** One TensorFlow tensor and its ONNX materializations. */
  static final class Value {
    final String tfName;
    final TensorSpec spec;
    final Constant constant;
    final Map<ViewKey, String> views = new LinkedHashMap<>();
    ViewKey primary;

    Value(String tfName, TensorSpec spec, Constant constant) {
      this.tfName = tfName;
      this.spec = spec;
      this.constant = constant;
    }

    int rank() {
      return spec.rank();
    }

    long[] shape() {
      return spec.shape();
    }

    boolean isConstant() {
      return constant != null;
    }

    Layout layout() {
      return primary == null ? Layout.AS_IS : primary.layout();
    }
  }

  record ViewKey(Layout layout, int elemType, boolean quantized) {}

  final FrozenGraph graph;
  final OnnxGraphBuilder onnx;
  private final Precision precision;
  private final CalibrationTable calibration;
  private final Set<String> segmentNodes;
  private final Set<String> segmentOutputs;
  private final Set<String> absorbed = new HashSet<>();
  private final Map<String, Value> values = new HashMap<>();
  private final Map<String, long[]> foldedPads = new HashMap<>();
  private io.trtfleet.quantize.ResidualAdds residualAdds;
  private io.trtfleet.reference.ReferenceRunner folder;

  final List<String> folded = new ArrayList<>();
  final Map<String, String> unquantized = new LinkedHashMap<>();
  /** Activations that got Q/DQ: none at all, with some asked for, means a table for another model. */
  int quantizedActivations;
  final List<String> notes = new ArrayList<>();

  ConversionContext(FrozenGraph graph, OnnxGraphBuilder onnx, Precision precision,
      CalibrationTable calibration, Set<String> segmentNodes, Set<String> segmentOutputs) {
    this.graph = graph;
    this.onnx = onnx;
    this.precision = precision;
    this.calibration = calibration;
    this.segmentNodes = segmentNodes;
    this.segmentOutputs = segmentOutputs;
  }

  Precision precision() {
    return precision;
  }

  /** Element type of float activations and weights between layers under the policy. */
  int floatType() {
    return precision.halfBetweenLayers() ? OnnxDataType.FLOAT16 : OnnxDataType.FLOAT;
  }

  /**
   * TensorFlow tensor name to the ONNX value holding its primary (first converted) form, for every
   * non-constant tensor converted so far. Rank-4 activations are usually held NCHW: the same elements
   * in another order (what an |x| histogram needs). Tensors absorbed into a fused op have no entry.
   */
  Map<String, String> primaryValues() {
    Map<String, String> out = new java.util.TreeMap<>();
    values.forEach((tf, v) -> {
      if (!v.isConstant() && v.primary != null) {
        out.put(tf, v.views.get(v.primary));
      }
    });
    return out;
  }

  // ---- values ----

  /** Registers a segment input: the graph input named after the tensor holds it as is. */
  void defineInput(TensorSpec spec, String onnxName, int elemType) {
    Value v = new Value(spec.name(), spec, null);
    ViewKey key = new ViewKey(Layout.AS_IS, elemType, false);
    v.views.put(key, onnxName);
    v.primary = key;
    values.put(spec.name(), v);
  }

  /** Records that output {@code index} of {@code node} is held by ONNX value {@code onnxName}. */
  void define(Node node, int index, String onnxName, Layout layout, int elemType) {
    String tf = TensorRef.of(node.name(), index).tensorName();
    Value v = new Value(tf, node.output(index), null);
    ViewKey key = new ViewKey(layout, elemType, false);
    v.views.put(key, onnxName);
    v.primary = key;
    values.put(tf, v);
  }

  /** Output {@code index} of {@code node} is the same tensor as {@code source} (Identity and friends). */
  void alias(Node node, int index, Value source) {
    String tf = TensorRef.of(node.name(), index).tensorName();
    Value v = new Value(tf, node.output(index), source.constant);
    v.views.putAll(source.views);
    v.primary = source.primary;
    values.put(tf, v);
  }

  Value value(TensorRef ref) {
    Value v = values.get(ref.tensorName());
    if (v != null) {
      return v;
    }
    Node producer = graph.node(ref.node());
    if (producer.op().equals("Const")) {
      Constant c = Constant.of(producer.attr("value").orElseThrow().getTensor());
      if (c == null) {
        throw new UnsupportedNodeException(producer, "constant of type " + producer.output(0).dtypeName()
            + " has no ONNX form here");
      }
      v = new Value(ref.tensorName(), producer.output(0), c);
      values.put(ref.tensorName(), v);
      return v;
    }
    throw new IllegalStateException("tensor " + ref + " is read before it is converted (not a segment input?)");
  }

  /** Data input {@code i} of a node. */
  Value in(Node node, int i) {
    List<TensorRef> inputs = node.dataInputs();
    if (i >= inputs.size()) {
      throw new UnsupportedNodeException(node, "expected at least " + (i + 1) + " inputs");
    }
    return value(inputs.get(i));
  }

  /** The value of a tensor when it is a constant (a Const node or a folded subgraph). */
  Optional<Constant> constantValue(TensorRef ref) {
    Value v = values.get(ref.tensorName());
    if (v != null) {
      return Optional.ofNullable(v.constant);
    }
    return graph.node(ref.node()).op().equals("Const") ? Optional.ofNullable(value(ref).constant) : Optional.empty();
  }

  Constant constantInput(Node node, int i, String what) {
    Value v = in(node, i);
    if (!v.isConstant()) {
      throw new UnsupportedNodeException(node, what + " must be a constant (input " + node.dataInputs().get(i) + ")");
    }
    return v.constant;
  }

  // ---- views ----

  /** The ONNX element type a float tensor should have between layers (ints keep their type). */
  int computeType(Value v) {
    int natural = OnnxDataType.of(v.spec.dtype());
    return OnnxDataType.isFloat(natural) ? floatType() : natural;
  }

  /** The tensor in {@code layout} with its between-layers type. */
  String view(Value v, Layout layout) {
    return view(v, layout, computeType(v));
  }

  /** The tensor in {@code layout} and {@code elemType}, emitting a Transpose and/or Cast once if needed. */
  String view(Value v, Layout layout, int elemType) {
    if (layout == Layout.NCHW && v.rank() != 4 && !(v.isConstant() && v.rank() < 4)) {
      throw new IllegalStateException("NCHW view of rank-" + v.rank() + " tensor " + v.tfName);
    }
    ViewKey key = new ViewKey(layout, elemType, false);
    String have = v.views.get(key);
    if (have != null) {
      return have;
    }
    String name;
    if (v.isConstant()) {
      name = constantInitializer(v, layout, elemType);
    } else {
      ViewKey sameLayout = v.views.keySet().stream()
          .filter(k -> k.layout() == layout && !k.quantized()).findFirst().orElse(null);
      if (sameLayout != null) {
        name = onnx.node("Cast", List.of(v.views.get(sameLayout)), v.tfName + "_" + OnnxDataType.name(elemType),
            OnnxGraphBuilder.attr("to", (long) elemType));
      } else {
        ViewKey sameType = new ViewKey(v.primary.layout(), elemType, false);
        String source = v.views.containsKey(sameType) ? v.views.get(sameType) : view(v, v.primary.layout(), elemType);
        long[] perm = layout == Layout.NCHW ? Layout.TO_NCHW : Layout.TO_NHWC;
        name = onnx.node("Transpose", List.of(source), v.tfName + "_" + layout.name().toLowerCase(),
            OnnxGraphBuilder.ints("perm", perm));
      }
    }
    v.views.put(key, name);
    return name;
  }

  /**
   * The tensor in the memory order of its TensorFlow shape, for ops that only see memory order
   * (Reshape, Squeeze): an NCHW value whose H and W (or C) are 1 already has that order, so no
   * Transpose is needed.
   */
  String rowMajorView(Value v) {
    if (v.layout() == Layout.NCHW && !v.isConstant()) {
      long[] s = v.shape();
      if ((s[1] == 1 && s[2] == 1) || s[3] == 1) {
        return view(v, Layout.NCHW);
      }
    }
    return view(v, Layout.AS_IS);
  }

  private String constantInitializer(Value v, Layout layout, int elemType) {
    Constant c = layout == Layout.NCHW ? v.constant.toNchw() : v.constant;
    String base = v.tfName.replace(":0", "");
    if (c.isFloat()) {
      if (!OnnxDataType.isFloat(elemType) || elemType == OnnxDataType.DOUBLE) {
        throw new IllegalStateException("float constant " + v.tfName + " requested as " + OnnxDataType.name(elemType));
      }
      return onnx.floats(base, c.shape(), c.floats(), elemType);
    }
    long[] ints = c.ints();
    if (elemType == OnnxDataType.INT64) {
      ByteBuffer b = ByteBuffer.allocate(ints.length * 8).order(ByteOrder.LITTLE_ENDIAN);
      b.asLongBuffer().put(ints);
      return onnx.initializer(base, elemType, c.shape(), b.array());
    }
    if (elemType == OnnxDataType.INT32) {
      ByteBuffer b = ByteBuffer.allocate(ints.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (long x : ints) {
        b.putInt((int) x);
      }
      return onnx.initializer(base, elemType, c.shape(), b.array());
    }
    float[] f = new float[ints.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = ints[i];
    }
    return onnx.floats(base, c.shape(), f, elemType);
  }

  /**
   * Records that a zero Pad was folded into its only reader: {@code tfName} (the Pad's output) is held
   * unpadded and the reader adds {@code pads} ([h_begin, w_begin, h_end, w_end]) to its own.
   */
  void foldPads(String tfName, long[] pads) {
    foldedPads.put(tfName, pads.clone());
  }

  /** Spatial pads folded into the reader of {@code v} ([h_begin, w_begin, h_end, w_end], zeros if none). */
  long[] foldedPads(Value v) {
    return foldedPads.getOrDefault(v.tfName, new long[4]).clone();
  }

  /** Which inputs of a residual add get Q/DQ (the same rule calibration used to pick its tensors). */
  io.trtfleet.quantize.ResidualAdds residualAdds() {
    if (residualAdds == null) {
      residualAdds = new io.trtfleet.quantize.ResidualAdds(graph);
    }
    return residualAdds;
  }

  // ---- INT8 ----

  /** The calibrated scale of a tensor, looked up as {@code node:0} and as the bare node name. */
  Optional<Float> scale(String tfName) {
    if (calibration == null) {
      return Optional.empty();
    }
    Optional<Float> s = calibration.scale(tfName);
    if (s.isEmpty() && tfName.endsWith(":0")) {
      s = calibration.scale(tfName.substring(0, tfName.length() - 2));
    }
    return s.filter(x -> x > 0 && Float.isFinite(x));
  }

  /**
   * An activation as an INT8-quantized layer reads it: QuantizeLinear then DequantizeLinear (to the
   * between-layers type) with the calibrated per-tensor scale. Without a policy that quantizes, or
   * without a scale (then listed in the report), the plain view.
   */
  String activation(Value v, Layout layout, Node reader) {
    if (!precision.quantized() || v.isConstant()) {
      return view(v, layout);
    }
    Optional<Float> scale = scale(v.tfName);
    if (scale.isEmpty()) {
      unquantized.putIfAbsent(v.tfName, reader.name());
      return view(v, layout);
    }
    int type = computeType(v);
    ViewKey key = new ViewKey(layout, type, true);
    String have = v.views.get(key);
    if (have != null) {
      return have;
    }
    String x = view(v, layout, type);
    String s = onnx.scalar(v.tfName + "_scale", scale.get(), type);
    String zp = onnx.int8s(v.tfName + "_zero_point", new long[0], new byte[] {0});
    String q = onnx.node("QuantizeLinear", List.of(x, s, zp), v.tfName + "_quantized");
    String dq = onnx.node("DequantizeLinear", List.of(q, s, zp), v.tfName + "_dequantized");
    v.views.put(key, dq);
    quantizedActivations++;
    return dq;
  }

  /**
   * Weights with per-output-channel INT8 Q/DQ along {@code axis} 0 ({@code [out, ...]} layout): INT8
   * initializer, scale amax/127 per channel, DequantizeLinear to the between-layers type.
   */
  String quantizedWeights(String base, long[] dims, float[] w) {
    int out = (int) dims[0];
    int per = w.length / out;
    float[] scales = new float[out];
    byte[] q = new byte[w.length];
    for (int o = 0; o < out; o++) {
      float amax = 0;
      for (int i = 0; i < per; i++) {
        amax = Math.max(amax, Math.abs(w[o * per + i]));
      }
      float s = amax > 0 ? amax / CalibrationTable.QMAX : 1f; // an all-zero channel quantizes to zeros
      if (floatType() == OnnxDataType.FLOAT16) {
        s = io.trtfleet.onnx.Half.round(s); // the scale the DQ will really use
      }
      scales[o] = s;
      for (int i = 0; i < per; i++) {
        long r = Math.round(w[o * per + i] / s);
        q[o * per + i] = (byte) Math.max(-127, Math.min(127, r));
      }
    }
    String qw = onnx.int8s(base + "_int8", dims, q);
    String sc = onnx.floats(base + "_scale", new long[] {out}, scales, floatType());
    String zp = onnx.int8s(base + "_zero_point", new long[] {out}, new byte[out]);
    return onnx.node("DequantizeLinear", List.of(qw, sc, zp), base + "_dequantized",
        OnnxGraphBuilder.attr("axis", 0L));
  }

  // ---- graph structure ----

  /** True when the tensor must leave the segment (so its producer cannot be folded away). */
  boolean isSegmentOutput(String tfName) {
    return segmentOutputs.contains(tfName);
  }

  /**
   * The only reader of output 0 of {@code node}, when folding into it is safe: inside the segment,
   * reading nothing else of the node, and output 0 not needed outside.
   */
  Optional<Node> soleConsumer(Node node) {
    String out = TensorRef.of(node.name(), 0).tensorName();
    if (isSegmentOutput(out)) {
      return Optional.empty();
    }
    List<String> users = graph.consumers(node.name());
    if (users.size() != 1 || !segmentNodes.contains(users.get(0))) {
      return Optional.empty();
    }
    Node user = graph.node(users.get(0));
    long reads = user.dataInputs().stream().filter(r -> r.node().equals(node.name())).count();
    return reads == 1 ? Optional.of(user) : Optional.empty();
  }

  /** Marks a node as converted by another node's converter (folded); its own converter is skipped. */
  void absorb(Node node, String into) {
    absorbed.add(node.name());
    folded.add(node.name() + " -> " + into);
  }

  boolean isAbsorbed(String node) {
    return absorbed.contains(node);
  }

  void note(String text) {
    if (!notes.contains(text)) {
      notes.add(text);
    }
  }

  /** Records that a node runs in FP32 although the policy's float type is FP16. */
  void keptInFp32(Node node, String why) {
    if (floatType() == io.trtfleet.onnx.OnnxDataType.FLOAT16) {
      note(node.op() + " kept in FP32 (" + why + ")");
    }
  }

  // ---- constant folding ----

  /** True when every data input of the node is a constant (and there is at least one). */
  boolean allInputsConstant(Node node) {
    if (node.dataInputs().isEmpty()) {
      return false;
    }
    for (TensorRef r : node.dataInputs()) {
      Value v = values.get(r.tensorName());
      boolean constant = v != null ? v.isConstant() : graph.node(r.node()).op().equals("Const");
      if (!constant) {
        return false;
      }
    }
    return true;
  }

  /**
   * Computes a node whose inputs are all constants with TensorFlow itself (what TF-TRT's grappler
   * constant folding does before conversion), so Keras' unfused batch norm (Rsqrt(var + eps) * gamma)
   * or shape arithmetic on constants become initializers. False when an output has a dtype we do not fold.
   */
  boolean foldWithTensorFlow(Node node) {
    if (folder == null) {
      folder = new io.trtfleet.reference.ReferenceRunner(graph, 1);
    }
    List<String> outputs = new ArrayList<>();
    for (int i = 0; i < node.outputs().size(); i++) {
      outputs.add(TensorRef.of(node.name(), i).tensorName());
    }
    Map<String, io.trtfleet.graph.HostTensor> computed = folder.run(Map.of(), outputs);
    Map<String, Constant> constants = new LinkedHashMap<>();
    for (String out : outputs) {
      Constant c = Constant.of(computed.get(out));
      if (c == null) {
        return false;
      }
      constants.put(out, c);
    }
    for (int i = 0; i < outputs.size(); i++) {
      values.put(outputs.get(i), new Value(outputs.get(i), node.output(i), constants.get(outputs.get(i))));
    }
    folded.add(node.name() + " -> constant");
    return true;
  }

  @Override
  public void close() {
    if (folder != null) {
      folder.close();
    }
  }
}
