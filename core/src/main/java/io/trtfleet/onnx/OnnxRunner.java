package io.trtfleet.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.google.protobuf.InvalidProtocolBufferException;
import io.trtfleet.Messages;
import io.trtfleet.TrtfleetException;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.onnx.proto.Onnx.ModelProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.DataType;

/**
 * Runs an ONNX model on the CPU with ONNX Runtime: the executor that proves every converter without a
 * GPU. Inputs and outputs are {@link HostTensor}s keyed by ONNX value name. Not thread-safe.
 */
public final class OnnxRunner implements io.trtfleet.graph.ModelRunner {

  private final OrtEnvironment env;
  private final OrtSession session;
  private final Map<String, NodeInfo> inputs;

  public OnnxRunner(byte[] model) {
    this(model, 0);
  }

  /** @param threads intra-op threads; 0 lets ONNX Runtime choose */
  public OnnxRunner(byte[] model, int threads) {
    this(model, threads, true);
  }

  /**
   * @param threads intra-op threads; 0 lets ONNX Runtime choose
   * @param fuse false runs the graph as written, node by node (basic optimizations only): ONNX
   *     Runtime's CPU fusions rewrite Q/DQ patterns into its own integer kernels, which is not what
   *     TensorRT will run and can round differently
   */
  public OnnxRunner(byte[] model, int threads, boolean fuse) {
    this.env = OrtEnvironment.getEnvironment();
    ModelProto proto = parse(model);
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      if (!fuse || quantizesToFp8(proto)) {
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.BASIC_OPT);
      }
      if (threads > 0) {
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
      }
      this.session = env.createSession(proto == null ? model : Fp16QuantizeRewrite.apply(proto).toByteArray(), options);
      this.inputs = session.getInputInfo();
    } catch (OrtException e) {
      throw new TrtfleetException("ONNX Runtime cannot load the model: " + Messages.oneLine(e.getMessage()), e);
    }
  }

  private static ModelProto parse(byte[] model) {
    try {
      return ModelProto.parseFrom(model);
    } catch (InvalidProtocolBufferException e) {
      return null; // ONNX Runtime will report what is wrong with it
    }
  }

  /**
   * ONNX Runtime 1.23's extended graph optimizations remove a ReLU in front of an FP8 QuantizeLinear whose
   * zero point is 0, as if FP8 had no negative values (as uint8 has none below a zero point of 0): negative
   * activations then pass the ReLU. Models with FP8 Q/DQ therefore run with the basic optimizations only.
   */
  static boolean quantizesToFp8(ModelProto model) {
    return model != null && model.getGraph().getInitializerList().stream()
        .anyMatch(t -> t.getDataType() == OnnxDataType.FLOAT8E4M3FN);
  }

  public List<String> inputNames() {
    return new ArrayList<>(inputs.keySet());
  }

  public List<String> outputNames() {
    return new ArrayList<>(session.getOutputNames());
  }

  /** Runs all outputs for the given inputs (every model input must be fed). */
  public Map<String, HostTensor> run(Map<String, HostTensor> feeds) {
    for (String name : inputs.keySet()) {
      if (!feeds.containsKey(name)) {
        throw new IllegalArgumentException("Cannot run ONNX model: input '" + name + "' not fed, got " + feeds.keySet());
      }
    }
    Map<String, OnnxTensor> fed = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, HostTensor> e : feeds.entrySet()) {
        fed.put(e.getKey(), toOrt(e.getValue()));
      }
      try (OrtSession.Result result = session.run(fed)) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, OnnxValue> e : result) {
          out.put(e.getKey(), toHost((OnnxTensor) e.getValue()));
        }
        return out;
      }
    } catch (OrtException e) {
      throw new TrtfleetException("ONNX Runtime failed to run the model: " + Messages.oneLine(e.getMessage()), e);
    } finally {
      fed.values().forEach(OnnxTensor::close);
    }
  }

  private OnnxTensor toOrt(HostTensor t) throws OrtException {
    ByteBuffer buffer = ByteBuffer.allocateDirect(t.data().length).order(ByteOrder.nativeOrder());
    ByteBuffer le = ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN);
    if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
      buffer.put(le);
    } else {
      throw new UnsupportedOperationException("big-endian hosts are not supported");
    }
    buffer.rewind();
    return OnnxTensor.createTensor(env, buffer, t.shape(), javaType(t.dtype()));
  }

  private static HostTensor toHost(OnnxTensor t) {
    TensorInfo info = t.getInfo();
    ByteBuffer data = t.getByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    return new HostTensor(tfType(info.type), info.getShape(), bytes);
  }

  private static OnnxJavaType javaType(DataType dtype) {
    return switch (dtype) {
      case DT_FLOAT -> OnnxJavaType.FLOAT;
      case DT_HALF -> OnnxJavaType.FLOAT16;
      case DT_DOUBLE -> OnnxJavaType.DOUBLE;
      case DT_INT8 -> OnnxJavaType.INT8;
      case DT_UINT8 -> OnnxJavaType.UINT8;
      case DT_INT32 -> OnnxJavaType.INT32;
      case DT_INT64 -> OnnxJavaType.INT64;
      case DT_BOOL -> OnnxJavaType.BOOL;
      default -> throw new TrtfleetException("cannot feed a " + dtype + " tensor to ONNX Runtime");
    };
  }

  private static DataType tfType(OnnxJavaType type) {
    return switch (type) {
      case FLOAT -> DataType.DT_FLOAT;
      case FLOAT16 -> DataType.DT_HALF;
      case DOUBLE -> DataType.DT_DOUBLE;
      case INT8 -> DataType.DT_INT8;
      case UINT8 -> DataType.DT_UINT8;
      case INT32 -> DataType.DT_INT32;
      case INT64 -> DataType.DT_INT64;
      case BOOL -> DataType.DT_BOOL;
      default -> throw new TrtfleetException("ONNX Runtime returned a " + type + " tensor, which trtfleet does not read");
    };
  }


  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("cannot close ONNX Runtime session", e);
    }
  }
}
