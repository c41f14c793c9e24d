package io.trtfleet.graph;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.proto.DataType;

/**
 * A dense tensor in host memory: dtype, shape and little-endian raw bytes, the layout TensorFlow,
 * ONNX Runtime, TensorRT and our Parquet {@code binary} columns share. A string tensor (what parsing
 * and lookup ops read: text, serialized {@code tf.Example}s) holds each element as a 4-byte
 * little-endian length and the element's bytes ({@link #ofStrings}, {@link #strings}).
 */
public record HostTensor(DataType dtype, long[] shape, byte[] data) implements java.io.Serializable {

  public HostTensor {
    shape = shape.clone();
    long expected = dtype == DataType.DT_STRING ? elementCount(shape) : elementCount(shape) * byteSize(dtype);
    long actual = dtype == DataType.DT_STRING ? decodeStrings(data).size() : data.length;
    if (actual != expected) {
      throw new IllegalArgumentException("tensor " + TensorSpec.dtypeName(dtype) + TensorSpec.shapeString(shape)
          + " needs " + expected + (dtype == DataType.DT_STRING ? " elements, got " : " bytes, got ") + actual);
    }
  }

  public static HostTensor ofFloats(long[] shape, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return new HostTensor(DataType.DT_FLOAT, shape, b.array());
  }

  public static HostTensor ofInts(long[] shape, int[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asIntBuffer().put(values);
    return new HostTensor(DataType.DT_INT32, shape, b.array());
  }

  public static HostTensor ofLongs(long[] shape, long[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(values);
    return new HostTensor(DataType.DT_INT64, shape, b.array());
  }

  /** A string tensor; each element is raw bytes (UTF-8 text or a serialized proto). */
  public static HostTensor ofStrings(long[] shape, List<byte[]> values) {
    int size = values.stream().mapToInt(v -> 4 + v.length).sum();
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    values.forEach(v -> b.putInt(v.length).put(v));
    return new HostTensor(DataType.DT_STRING, shape, b.array());
  }

  /** The elements of a string tensor, in row-major order. */
  public List<byte[]> strings() {
    if (dtype != DataType.DT_STRING) {
      throw new IllegalStateException("tensor is " + TensorSpec.dtypeName(dtype) + ", not string");
    }
    return decodeStrings(data);
  }

  private static List<byte[]> decodeStrings(byte[] data) {
    List<byte[]> out = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      if (b.remaining() < 4) {
        throw new IllegalArgumentException("string tensor data ends inside a length prefix");
      }
      int n = b.getInt();
      if (n < 0 || n > b.remaining()) {
        throw new IllegalArgumentException("string tensor element of " + n + " bytes overruns the data");
      }
      byte[] v = new byte[n];
      b.get(v);
      out.add(v);
    }
    return out;
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** The values of any numeric or bool tensor as doubles (what comparisons of outputs read). */
  public double[] asDoubles() {
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    int n = (int) elementCount();
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = switch (dtype) {
        case DT_FLOAT -> b.getFloat(i * 4);
        case DT_DOUBLE -> b.getDouble(i * 8);
        case DT_INT32 -> b.getInt(i * 4);
        case DT_UINT32 -> Integer.toUnsignedLong(b.getInt(i * 4));
        case DT_INT64, DT_UINT64 -> b.getLong(i * 8);
        case DT_INT16 -> b.getShort(i * 2);
        case DT_UINT16 -> Short.toUnsignedInt(b.getShort(i * 2));
        case DT_INT8 -> b.get(i);
        case DT_UINT8, DT_BOOL -> Byte.toUnsignedInt(b.get(i));
        default -> throw new IllegalStateException("tensor is " + TensorSpec.dtypeName(dtype)
            + ", which has no numeric values");
      };
    }
    return out;
  }

  /** The data as floats (FLOAT tensors only). */
  public float[] floats() {
    if (dtype != DataType.DT_FLOAT) {
      throw new IllegalStateException("tensor is " + TensorSpec.dtypeName(dtype) + ", not float");
    }
    float[] out = new float[data.length / 4];
    ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  /** This rank-4 NHWC tensor's elements in NCHW order: the same values, the bytes moved. */
  public HostTensor nhwcToNchw() {
    if (shape.length != 4) {
      throw new IllegalArgumentException("not an NHWC tensor: shape " + TensorSpec.shapeString(shape));
    }
    int n = Math.toIntExact(shape[0]);
    int hw = Math.toIntExact(shape[1] * shape[2]);
    int c = Math.toIntExact(shape[3]);
    int size = byteSize(dtype);
    byte[] out = new byte[data.length];
    for (int image = 0, base = 0; image < n; image++, base += hw * c * size) {
      for (int pixel = 0; pixel < hw; pixel++) {
        for (int channel = 0; channel < c; channel++) {
          System.arraycopy(data, base + (pixel * c + channel) * size, out, base + (channel * hw + pixel) * size, size);
        }
      }
    }
    return new HostTensor(dtype, new long[] {shape[0], shape[3], shape[1], shape[2]}, out);
  }

  public long elementCount() {
    return elementCount(shape);
  }

  public static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("shape " + TensorSpec.shapeString(shape) + " is not fully defined");
      }
      n *= d;
    }
    return n;
  }

  /** Bytes per element of the numeric dtypes trtfleet moves between engines. */
  public static int byteSize(DataType dtype) {
    return switch (dtype) {
      case DT_FLOAT, DT_INT32, DT_UINT32 -> 4;
      case DT_DOUBLE, DT_INT64, DT_UINT64 -> 8;
      case DT_HALF, DT_BFLOAT16, DT_INT16, DT_UINT16 -> 2;
      case DT_INT8, DT_UINT8, DT_BOOL -> 1;
      default -> throw new IllegalArgumentException("dtype " + TensorSpec.dtypeName(dtype)
          + " is not a numeric tensor type trtfleet handles");
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HostTensor t && dtype == t.dtype && Arrays.equals(shape, t.shape)
        && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "HostTensor[" + TensorSpec.dtypeName(dtype) + TensorSpec.shapeString(shape) + "]";
  }
}
