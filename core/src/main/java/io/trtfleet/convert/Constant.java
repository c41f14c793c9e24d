package io.trtfleet.convert;

import io.trtfleet.graph.HostTensor;
import io.trtfleet.graph.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorProto;

/**
 * The value of a TensorFlow {@code Const} node, decoded once: float types as {@code float[]}, integer
 * types as {@code long[]}. Converters fold these into ONNX initializers (re-laid out, cast, quantized).
 */
record Constant(DataType dtype, long[] shape, float[] floats, long[] ints) {

  static Constant of(TensorProto proto) {
    DataType dtype = proto.getDtype();
    long[] shape = TensorSpec.dims(proto.getTensorShape());
    int n = (int) HostTensor.elementCount(shape);
    boolean packed = !proto.getTensorContent().isEmpty();
    ByteBuffer raw = proto.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    switch (dtype) {
      case DT_FLOAT -> {
        float[] v = new float[n];
        if (packed) {
          raw.asFloatBuffer().get(v);
        } else {
          fill(v, proto.getFloatValCount(), proto::getFloatVal);
        }
        return new Constant(dtype, shape, v, null);
      }
      case DT_DOUBLE -> {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
          v[i] = (float) (packed ? raw.getDouble(i * 8)
              : proto.getDoubleVal(Math.min(i, proto.getDoubleValCount() - 1)));
        }
        return new Constant(DataType.DT_FLOAT, shape, v, null);
      }
      case DT_INT32 -> {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
          v[i] = packed ? raw.getInt(i * 4) : proto.getIntVal(Math.min(i, proto.getIntValCount() - 1));
        }
        return new Constant(dtype, shape, null, v);
      }
      case DT_INT64 -> {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
          v[i] = packed ? raw.getLong(i * 8) : proto.getInt64Val(Math.min(i, proto.getInt64ValCount() - 1));
        }
        return new Constant(dtype, shape, null, v);
      }
      case DT_BOOL -> {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
          v[i] = (packed ? raw.get(i) != 0
              : proto.getBoolValCount() > 0 && proto.getBoolVal(Math.min(i, proto.getBoolValCount() - 1))) ? 1 : 0;
        }
        return new Constant(dtype, shape, null, v);
      }
      default -> {
        return null; // strings...: no converter folds them; a node reading one is unsupported
      }
    }
  }

  /** A constant from a tensor TensorFlow computed (constant folding); null for dtypes we do not fold. */
  static Constant of(HostTensor t) {
    ByteBuffer b = ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN);
    int n = (int) t.elementCount();
    switch (t.dtype()) {
      case DT_FLOAT -> {
        return new Constant(DataType.DT_FLOAT, t.shape(), t.floats(), null);
      }
      case DT_INT32 -> {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
          v[i] = b.getInt(i * 4);
        }
        return new Constant(DataType.DT_INT32, t.shape(), null, v);
      }
      case DT_INT64 -> {
        long[] v = new long[n];
        b.asLongBuffer().get(v);
        return new Constant(DataType.DT_INT64, t.shape(), null, v);
      }
      case DT_BOOL -> {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
          v[i] = b.get(i) != 0 ? 1 : 0;
        }
        return new Constant(DataType.DT_BOOL, t.shape(), null, v);
      }
      default -> {
        return null;
      }
    }
  }

  private interface FloatAt {
    float at(int i);
  }

  private static void fill(float[] v, int count, FloatAt at) {
    for (int i = 0; i < v.length; i++) {
      v[i] = count == 0 ? 0f : at.at(Math.min(i, count - 1)); // TF repeats the last value
    }
  }

  boolean isFloat() {
    return floats != null;
  }

  int rank() {
    return shape.length;
  }

  int size() {
    return isFloat() ? floats.length : ints.length;
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** The same values as a rank-4 NCHW array: leading 1s first (numpy broadcasting), then 0,3,1,2. */
  Constant toNchw() {
    long[] s4 = new long[4];
    int pad = 4 - shape.length;
    for (int i = 0; i < 4; i++) {
      s4[i] = i < pad ? 1 : shape[i - pad];
    }
    long[] out = {s4[0], s4[3], s4[1], s4[2]};
    int n = (int) s4[0], h = (int) s4[1], w = (int) s4[2], c = (int) s4[3];
    float[] f = isFloat() ? new float[floats.length] : null;
    long[] l = isFloat() ? null : new long[ints.length];
    for (int a = 0; a < n; a++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          for (int ch = 0; ch < c; ch++) {
            int from = ((a * h + y) * w + x) * c + ch;
            int to = ((a * c + ch) * h + y) * w + x;
            if (f != null) {
              f[to] = floats[from];
            } else {
              l[to] = ints[from];
            }
          }
        }
      }
    }
    return new Constant(dtype, out, f, l);
  }

  /** A scalar or a 1-D tensor as longs (axes, shapes, permutations). */
  long[] longs() {
    if (ints == null) {
      throw new IllegalStateException("constant is " + dtype + ", not an integer tensor");
    }
    return ints.clone();
  }
}
