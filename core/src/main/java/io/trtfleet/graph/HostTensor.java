package io.trtfleet.graph;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.tensorflow.proto.DataType;

/**
 * A dense tensor in host memory: dtype, shape and little-endian raw bytes, the layout TensorFlow,
 * ONNX Runtime, TensorRT and our Parquet {@code binary} columns share.
 */
public record HostTensor(DataType dtype, long[] shape, byte[] data) implements java.io.Serializable {

  public HostTensor {
    shape = shape.clone();
    long expected = elementCount(shape) * byteSize(dtype);
    if (data.length != expected) {
      throw new IllegalArgumentException("tensor " + TensorSpec.dtypeName(dtype) + TensorSpec.shapeString(shape)
          + " needs " + expected + " bytes, got " + data.length);
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

  @Override
  public long[] shape() {
    return shape.clone();
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
