package io.trtfleet.segment;

import java.util.Set;
import org.tensorflow.proto.DataType;

/** Dtype names as TF-TRT's reports print them (numpy style) and the dtypes TensorRT tensors can have. */
public final class Dtypes {

  /** Tensor dtypes a TensorRT network can carry between layers (TF-TRT's ValidateTensorProperties). */
  static final Set<DataType> TENSORRT_TENSOR = Set.of(DataType.DT_FLOAT, DataType.DT_HALF,
      DataType.DT_INT32, DataType.DT_BOOL);
  /** Float dtypes of the math and activation layers. */
  static final Set<DataType> FLOATS = Set.of(DataType.DT_FLOAT, DataType.DT_HALF);
  /** Dtypes element-wise arithmetic supports. */
  static final Set<DataType> NUMERIC = Set.of(DataType.DT_FLOAT, DataType.DT_HALF, DataType.DT_INT32);
  /** Dtypes a Const may hold and still become TensorRT weights (int64 is narrowed to int32). */
  static final Set<DataType> WEIGHTS = Set.of(DataType.DT_FLOAT, DataType.DT_HALF, DataType.DT_INT32,
      DataType.DT_INT64, DataType.DT_BOOL, DataType.DT_INT8);

  private Dtypes() {}

  /** {@code float32}, {@code float16}, {@code int32}, ... */
  public static String name(DataType dtype) {
    return switch (dtype) {
      case DT_FLOAT -> "float32";
      case DT_DOUBLE -> "float64";
      case DT_HALF -> "float16";
      default -> {
        String n = dtype.name();
        yield (n.startsWith("DT_") ? n.substring(3) : n).toLowerCase(java.util.Locale.ROOT);
      }
    };
  }
}
