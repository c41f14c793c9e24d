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
  FP32(false, false),
  /** FP16 weights and activations; Softmax, reductions and normalization in FP32; FP32 at the boundary. */
  FP16(true, false),
  /**
   * Q/DQ on the tensors {@code quantize.QuantizationTargets} names (conv and matmul inputs, residual
   * inputs of adds, global-average-pool inputs), DQ producing FP16 with FP16 between quantized layers:
   * the form TensorRT turns into fast INT8 kernels.
   */
  INT8(true, true),
  /** The same Q/DQ placement with FP32 between layers: slower on TensorRT, useful to isolate INT8 error. */
  INT8_FP32(false, true);

  private final boolean halfBetweenLayers;
  private final boolean quantized;

  Precision(boolean halfBetweenLayers, boolean quantized) {
    this.halfBetweenLayers = halfBetweenLayers;
    this.quantized = quantized;
  }

  /** Whether float activations and weights between layers are FP16 (else FP32). */
  public boolean halfBetweenLayers() {
    return halfBetweenLayers;
  }

  /** Whether the precision needs INT8 scales (a calibration). */
  public boolean quantized() {
    return quantized;
  }

  /** TF-TRT's {@code precision_mode} for this precision: FP32, FP16 or INT8. */
  public Precision tfTrtMode() {
    return this == INT8_FP32 ? INT8 : this;
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
