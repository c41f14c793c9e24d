package io.trtfleet;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The precision a model is converted and built at, the same value from the command line to the store
 * key ({@code fp16} and {@code FP16} are one precision). Every precision is strongly typed (TensorRT 11
 * has no other mode): it lives in ONNX tensor types, Casts and Q/DQ nodes, never in builder flags.
 */
public enum Precision {
  /** Everything in FP32. */
  FP32(false, null),
  /** FP16 weights and activations; Softmax, reductions and normalization in FP32; FP32 at the boundary. */
  FP16(true, null),
  /**
   * Q/DQ on the tensors {@code quantize.QuantizationTargets} names (conv and matmul inputs, residual
   * inputs of adds, global-average-pool inputs), DQ producing FP16 with FP16 between quantized layers:
   * the form TensorRT turns into fast INT8 kernels.
   */
  INT8(true, QuantizedType.INT8),
  /** The same Q/DQ placement with FP32 between layers: slower on TensorRT, useful to isolate INT8 error. */
  INT8_FP32(false, QuantizedType.INT8),
  /**
   * INT8's Q/DQ placement with FP8 E4M3 as the quantized type and FP16 between layers: Ada and Hopper
   * tensor cores (compute capability 8.9 and newer). Scales come from the same calibration (amax / 448).
   */
  FP8(true, QuantizedType.FP8_E4M3);

  /** The type a quantized layer reads, and the largest magnitude it holds: scale = amax / maxValue. */
  public enum QuantizedType {
    /** Signed 8-bit integers, symmetric narrow range [-127, 127]. */
    INT8(127f),
    /** FP8 with 4 exponent and 3 mantissa bits, no infinities (ONNX FLOAT8E4M3FN); largest normal 448. */
    FP8_E4M3(448f);

    private final float maxValue;

    QuantizedType(float maxValue) {
      this.maxValue = maxValue;
    }

    public float maxValue() {
      return maxValue;
    }
  }

  private final boolean halfBetweenLayers;
  private final QuantizedType quantizedType;

  Precision(boolean halfBetweenLayers, QuantizedType quantizedType) {
    this.halfBetweenLayers = halfBetweenLayers;
    this.quantizedType = quantizedType;
  }

  /** Whether float activations and weights between layers are FP16 (else FP32). */
  public boolean halfBetweenLayers() {
    return halfBetweenLayers;
  }

  /** Whether the precision needs scales (a calibration). */
  public boolean quantized() {
    return quantizedType != null;
  }

  /** What quantized layers read; only for {@link #quantized()} precisions. */
  public QuantizedType quantizedType() {
    if (quantizedType == null) {
      throw new IllegalStateException(this + " quantizes nothing");
    }
    return quantizedType;
  }

  /**
   * TF-TRT's {@code precision_mode} for this precision: FP32, FP16 or INT8. TF-TRT has no FP8 mode; an
   * FP8 network carries its Q/DQ like INT8 does (explicit precision), so it segments and records as INT8.
   */
  public Precision tfTrtMode() {
    return quantized() ? INT8 : this;
  }

  /** Parses {@code fp16}, {@code FP16}, {@code int8-fp32}, ...; an unknown name is a user error. */
  public static Precision parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new TrtfleetException("Invalid precision '" + text + "': use one of "
          + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
    }
  }
}
