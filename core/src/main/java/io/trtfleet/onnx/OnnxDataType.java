package io.trtfleet.onnx;

import io.trtfleet.onnx.proto.Onnx.TensorProto;
import org.tensorflow.proto.DataType;

/** ONNX element types (TensorProto.DataType numbers) and their TensorFlow counterparts. */
public final class OnnxDataType {

  public static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
  public static final int FLOAT16 = TensorProto.DataType.FLOAT16_VALUE;
  public static final int INT8 = TensorProto.DataType.INT8_VALUE;
  public static final int UINT8 = TensorProto.DataType.UINT8_VALUE;
  public static final int FLOAT8E4M3FN = TensorProto.DataType.FLOAT8E4M3FN_VALUE;
  public static final int INT32 = TensorProto.DataType.INT32_VALUE;
  public static final int INT64 = TensorProto.DataType.INT64_VALUE;
  public static final int BOOL = TensorProto.DataType.BOOL_VALUE;
  public static final int DOUBLE = TensorProto.DataType.DOUBLE_VALUE;

  private OnnxDataType() {}

  /** The ONNX element type of a TensorFlow dtype; -1 when ONNX has none we use. */
  public static int of(DataType dtype) {
    return switch (dtype) {
      case DT_FLOAT -> FLOAT;
      case DT_HALF -> FLOAT16;
      case DT_DOUBLE -> DOUBLE;
      case DT_INT8 -> INT8;
      case DT_UINT8 -> UINT8;
      case DT_INT32 -> INT32;
      case DT_INT64 -> INT64;
      case DT_BOOL -> BOOL;
      default -> -1;
    };
  }


  public static String name(int elemType) {
    TensorProto.DataType t = TensorProto.DataType.forNumber(elemType);
    return t == null ? "type" + elemType : t.name().toLowerCase();
  }

  public static boolean isFloat(int elemType) {
    return elemType == FLOAT || elemType == FLOAT16 || elemType == DOUBLE;
  }
}
