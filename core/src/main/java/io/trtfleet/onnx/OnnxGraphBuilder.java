package io.trtfleet.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.trtfleet.onnx.proto.Onnx.AttributeProto;
import io.trtfleet.onnx.proto.Onnx.GraphProto;
import io.trtfleet.onnx.proto.Onnx.ModelProto;
import io.trtfleet.onnx.proto.Onnx.NodeProto;
import io.trtfleet.onnx.proto.Onnx.OperatorSetIdProto;
import io.trtfleet.onnx.proto.Onnx.StringStringEntryProto;
import io.trtfleet.onnx.proto.Onnx.TensorProto;
import io.trtfleet.onnx.proto.Onnx.TensorShapeProto;
import io.trtfleet.onnx.proto.Onnx.TypeProto;
import io.trtfleet.onnx.proto.Onnx.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Accumulates one ONNX graph: nodes in the order they are added (so topological when callers add
 * producers first), initializers with raw little-endian data, and unique value names.
 */
public final class OnnxGraphBuilder {

  /**
   * Opset 19: DequantizeLinear may output FP16 (scale of type FP16), which INT8 speed needs, and Q/DQ
   * take FP8 (FLOAT8E4M3FN zero points).
   */
  public static final int OPSET = 19;
  /** IR version 9 goes with opset 19 (ONNX 1.14+); TensorRT 10.x and ONNX Runtime 1.2x read it. */
  public static final int IR_VERSION = 9;

  private final GraphProto.Builder graph = GraphProto.newBuilder();
  private final Set<String> names = new HashSet<>();

  public OnnxGraphBuilder(String name) {
    graph.setName(name);
  }

  /** {@code base}, or {@code base_1}, {@code base_2}... if taken; reserves the name. */
  public String uniqueName(String base) {
    String name = base;
    for (int i = 1; !names.add(name); i++) {
      name = base + "_" + i;
    }
    return name;
  }

  /** Reserves an exact name (graph inputs and outputs keep TensorFlow's tensor names). */
  public void reserve(String name) {
    if (!names.add(name)) {
      throw new IllegalStateException("ONNX value name '" + name + "' is used twice");
    }
  }

  /** Adds a node with one output named after {@code outputBase}; returns the output name. */
  public String node(String opType, List<String> inputs, String outputBase, AttributeProto... attrs) {
    String out = uniqueName(outputBase);
    nodeWithOutputs(opType, inputs, List.of(out), attrs);
    return out;
  }

  /** Adds a node with given, already reserved output names. */
  public void nodeWithOutputs(String opType, List<String> inputs, List<String> outputs, AttributeProto... attrs) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType)
        .setName(uniqueName("n:" + outputs.get(0)))
        .addAllInput(inputs).addAllOutput(outputs);
    for (AttributeProto a : attrs) {
      if (a != null) {
        n.addAttribute(a);
      }
    }
    graph.addNode(n);
  }

  /** Adds an initializer; the array must not be modified afterwards (it is wrapped, not copied). */
  public String initializer(String base, int elemType, long[] dims, byte[] rawLittleEndian) {
    String name = uniqueName(base);
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(elemType)
        // The array is ours (callers hand over fresh buffers): wrap it instead of copying 100 MB of weights.
        .setRawData(UnsafeByteOperations.unsafeWrap(rawLittleEndian));
    for (long d : dims) {
      t.addDims(d);
    }
    graph.addInitializer(t);
    return name;
  }

  /** Float values stored as FLOAT or FLOAT16 (rounded to nearest even). */
  public String floats(String base, long[] dims, float[] values, int elemType) {
    ByteBuffer b;
    if (elemType == OnnxDataType.FLOAT16) {
      b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
      for (float v : values) {
        b.putShort(Half.fromFloat(v));
      }
    } else if (elemType == OnnxDataType.FLOAT) {
      b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(values);
    } else {
      throw new IllegalArgumentException("float initializer of type " + OnnxDataType.name(elemType));
    }
    return initializer(base, elemType, dims, b.array());
  }

  public String scalar(String base, float value, int elemType) {
    return floats(base, new long[0], new float[] {value}, elemType);
  }

  public String int64s(String base, long... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(values);
    return initializer(base, OnnxDataType.INT64, new long[] {values.length}, b.array());
  }

  public String int8s(String base, long[] dims, byte[] values) {
    return initializer(base, OnnxDataType.INT8, dims, values);
  }

  /** FP8 E4M3FN values, already encoded ({@link Float8E4M3}). */
  public String float8s(String base, long[] dims, byte[] values) {
    return initializer(base, OnnxDataType.FLOAT8E4M3FN, dims, values);
  }

  /** A graph input; a dimension of -1 gets the symbolic name from {@code symbols} (same index). */
  public void input(String name, int elemType, long[] dims, String[] symbols) {
    reserve(name);
    graph.addInput(valueInfo(name, elemType, dims, symbols));
  }

  public void output(String name, int elemType, long[] dims, String[] symbols) {
    graph.addOutput(valueInfo(name, elemType, dims, symbols));
  }

  private static ValueInfoProto valueInfo(String name, int elemType, long[] dims, String[] symbols) {
    TypeProto.Tensor.Builder t = TypeProto.Tensor.newBuilder().setElemType(elemType);
    if (dims != null) {
      TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
      for (int i = 0; i < dims.length; i++) {
        TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
        if (dims[i] >= 0) {
          d.setDimValue(dims[i]);
        } else if (symbols != null && symbols[i] != null) {
          d.setDimParam(symbols[i]);
        }
        shape.addDim(d);
      }
      t.setShape(shape);
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(t)).build();
  }

  public ModelProto build(String docString, Map<String, String> metadata) {
    ModelProto.Builder m = ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .setProducerName("trtfleet")
        .setProducerVersion(producerVersion())
        .setDocString(docString)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .setGraph(graph.build());
    metadata.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    return m.build();
  }

  private static String producerVersion() {
    String v = OnnxGraphBuilder.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  // Attribute helpers: ONNX requires the type field to be set (IR >= 2).

  public static AttributeProto attr(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
  }

  public static AttributeProto attr(String name, float value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
  }

  public static AttributeProto attr(String name, String value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
        .setS(ByteString.copyFromUtf8(value)).build();
  }

  public static AttributeProto ints(String name, long... values) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    Arrays.stream(values).forEach(a::addInts);
    return a.build();
  }
}
