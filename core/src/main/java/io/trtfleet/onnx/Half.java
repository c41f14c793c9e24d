package io.trtfleet.onnx;

import com.google.protobuf.ByteString;
import io.trtfleet.onnx.proto.Onnx.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * IEEE-754 binary16 conversions (Java 17 has no {@code Float.floatToFloat16}). Rounds to nearest even,
 * as TensorRT and ONNX Runtime do when they cast, so FP16 initializers match what a cast would give.
 */
public final class Half {

  private Half() {}

  public static short fromFloat(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xff;
    int mantissa = bits & 0x7fffff;
    if (exp == 0xff) { // Inf or NaN (keep NaN quiet)
      return (short) (sign | 0x7c00 | (mantissa != 0 ? 0x200 : 0));
    }
    int e = exp - 127 + 15;
    if (e >= 0x1f) {
      return (short) (sign | 0x7c00); // overflow to infinity
    }
    if (e <= 0) { // subnormal half or zero
      if (e < -10) {
        return (short) sign;
      }
      int m = mantissa | 0x800000;
      int shift = 14 - e;
      int half = m >> shift;
      int rest = m & ((1 << shift) - 1);
      int midpoint = 1 << (shift - 1);
      if (rest > midpoint || (rest == midpoint && (half & 1) != 0)) {
        half++;
      }
      return (short) (sign | half);
    }
    int half = (e << 10) | (mantissa >> 13);
    int rest = mantissa & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
      half++; // may carry into the exponent, which is still correct (up to infinity)
    }
    return (short) (sign | half);
  }

  public static float toFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mantissa = bits & 0x3ff;
    if (exp == 0) {
      if (mantissa == 0) {
        return Float.intBitsToFloat(sign);
      }
      float v = mantissa / 1024f * (float) Math.pow(2, -14);
      return sign != 0 ? -v : v;
    }
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mantissa << 13));
  }

  /** Rounds a float through FP16 and back: what an FP16 tensor can hold of it. */
  public static float round(float value) {
    return toFloat(fromFloat(value));
  }

  /** An FP16 initializer (raw data) as an FP32 one named {@code name}: the same values, exactly. */
  public static TensorProto widened(TensorProto half, String name) {
    ByteBuffer in = half.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer f = ByteBuffer.allocate(in.remaining() * 2).order(ByteOrder.LITTLE_ENDIAN);
    while (in.remaining() >= 2) {
      f.putFloat(toFloat(in.getShort()));
    }
    return half.toBuilder().setName(name).setDataType(OnnxDataType.FLOAT).setRawData(ByteString.copyFrom(f.array()))
        .build();
  }
}
