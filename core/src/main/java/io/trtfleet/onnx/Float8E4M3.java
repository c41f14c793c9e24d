package io.trtfleet.onnx;

/**
 * FP8 E4M3FN (ONNX {@code FLOAT8E4M3FN}, the FP8 of Ada and Hopper tensor cores): 1 sign bit, 4 exponent
 * bits with bias 7, 3 mantissa bits, no infinities (S.1111.111 is NaN), largest finite value 448, smallest
 * subnormal 2^-9. Encodes as ONNX's saturating QuantizeLinear and TensorRT's cast do: round to nearest
 * even, magnitudes beyond 448 saturate to 448.
 */
public final class Float8E4M3 {

  /** The largest finite magnitude. */
  public static final float MAX = 448f;
  private static final int NAN = 0x7f;
  private static final double SUBNORMAL_STEP = 0x1p-9;
  private static final double MIN_NORMAL = 0x1p-6;

  private Float8E4M3() {}

  public static byte fromFloat(float value) {
    if (Float.isNaN(value)) {
      return (byte) NAN;
    }
    int sign = value < 0 || (value == 0 && 1 / value < 0) ? 0x80 : 0;
    double a = Math.min(Math.abs((double) value), MAX);
    int code;
    if (a < MIN_NORMAL) {
      // Subnormal: a multiple of 2^-9. Rounding up to 8 steps gives 0b0001000, the smallest normal.
      code = (int) Math.rint(a / SUBNORMAL_STEP);
    } else {
      int e = Math.getExponent(a);
      int m = (int) Math.rint((a / Math.scalb(1.0, e) - 1) * 8); // ties to even
      if (m == 8) {
        e++;
        m = 0;
      }
      code = ((e + 7) << 3) | m; // a <= 448 = 1.75 * 2^8 keeps this at or below 0x7e
    }
    return (byte) (sign | code);
  }

  public static float toFloat(byte b) {
    int bits = b & 0xff;
    int exp = (bits >>> 3) & 0xf;
    int m = bits & 0x7;
    if (exp == 0xf && m == 0x7) {
      return Float.NaN;
    }
    double v = exp == 0 ? m * SUBNORMAL_STEP : (1 + m / 8.0) * Math.scalb(1.0, exp - 7);
    return (float) ((bits & 0x80) != 0 ? -v : v);
  }

  /** {@code value} after a round trip through FP8: the value a dequantized FP8 element holds. */
  public static float round(float value) {
    return toFloat(fromFloat(value));
  }
}
