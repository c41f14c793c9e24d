package io.trtfleet.calibrationdata;

/**
 * How imported values become float32: {@code value / divisor}. The divisor is chosen by the caller
 * ({@code --divide-by X}) or, by default ({@code auto}), 255 for unsigned-byte data (IDX files, NPY
 * {@code |u1}: pixels to [0, 1], exactly as the sample Fashion-MNIST model's {@code byte / 255f}) and 1
 * for everything else (values kept as they are).
 *
 * <p>For data float32 holds exactly (8- and 16-bit integers, float32) the division is done in float32,
 * so {@code auto} on bytes gives bit-for-bit {@code (b & 0xFF) / 255f}; wider types (int32, int64,
 * float64) are divided in float64 and rounded to float32 once.
 */
public record Scaling(Float divisor) {

  /** Divide unsigned bytes by 255, keep everything else. */
  public static final Scaling AUTO = new Scaling(null);
  public static final float BYTE_DIVISOR = 255f;

  public Scaling {
    if (divisor != null && (!Float.isFinite(divisor) || divisor == 0f)) {
      throw new IllegalArgumentException("Invalid --divide-by " + divisor + ": must be a finite non-zero number");
    }
  }

  /** Parses {@code auto} or a number. */
  public static Scaling parse(String s) {
    if (s == null || s.isBlank() || s.trim().equalsIgnoreCase("auto")) {
      return AUTO;
    }
    try {
      return new Scaling(Float.parseFloat(s.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Invalid --divide-by '" + s + "': expected auto or a number such as 255");
    }
  }

  /** The divisor for data of this kind. */
  public float divisorFor(boolean unsignedBytes) {
    if (divisor != null) {
      return divisor;
    }
    return unsignedBytes ? BYTE_DIVISOR : 1f;
  }

  @Override
  public String toString() {
    return divisor == null ? "auto" : Float.toString(divisor);
  }
}
