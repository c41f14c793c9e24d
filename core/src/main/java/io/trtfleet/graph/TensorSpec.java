package io.trtfleet.graph;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Name, dtype and static shape of a tensor. A dimension of -1 is unknown; an unknown rank is
 * {@link #UNKNOWN_RANK} (null shape).
 */
public record TensorSpec(String name, DataType dtype, long[] shape) implements java.io.Serializable {

  public static final long[] UNKNOWN_RANK = null;

  public TensorSpec {
    shape = shape == null ? null : shape.clone();
  }

  public static TensorSpec of(String name, DataType dtype, TensorShapeProto shape) {
    return new TensorSpec(name, dtype, dims(shape));
  }

  /** Dimensions of a shape proto, null for an unknown rank. */
  public static long[] dims(TensorShapeProto shape) {
    if (shape == null || shape.getUnknownRank()) {
      return null;
    }
    return shape.getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray();
  }

  public static TensorShapeProto toProto(long[] shape) {
    TensorShapeProto.Builder b = TensorShapeProto.newBuilder();
    if (shape == null) {
      return b.setUnknownRank(true).build();
    }
    for (long d : shape) {
      b.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return b.build();
  }

  @Override
  public long[] shape() {
    return shape == null ? null : shape.clone();
  }

  public boolean hasRank() {
    return shape != null;
  }

  public int rank() {
    return shape == null ? -1 : shape.length;
  }

  /** True when every dimension is known. */
  public boolean isFullyDefined() {
    return shape != null && Arrays.stream(shape).allMatch(d -> d >= 0);
  }

  /** Shape as the CLI and reports print it: {@code [-1,28,28,1]}, {@code ?} for unknown rank. */
  public String shapeString() {
    return shapeString(shape);
  }

  public static String shapeString(long[] shape) {
    if (shape == null) {
      return "?";
    }
    return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(",", "[", "]"));
  }

  /** Dtype without the proto's DT_ prefix, lower case: float, int32, ... */
  public String dtypeName() {
    return dtypeName(dtype);
  }

  public static String dtypeName(DataType dtype) {
    String n = dtype.name();
    return (n.startsWith("DT_") ? n.substring(3) : n).toLowerCase();
  }

  public static List<Long> boxed(long[] shape) {
    return shape == null ? null : Arrays.stream(shape).boxed().toList();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec t
        && name.equals(t.name)
        && dtype == t.dtype
        && Arrays.equals(shape, t.shape);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * name.hashCode() + dtype.hashCode()) + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + " " + dtypeName() + shapeString();
  }
}
