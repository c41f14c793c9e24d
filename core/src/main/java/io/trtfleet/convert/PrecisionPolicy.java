package io.trtfleet.convert;

import io.trtfleet.TrtfleetException;
import io.trtfleet.onnx.OnnxDataType;
import java.util.Arrays;
import java.util.Locale;

/**
 * How a segment's arithmetic is typed in the ONNX model. Every policy is strongly typed (TensorRT 11
 * has no other mode): precision lives in tensor types, Casts and Q/DQ nodes, never in builder flags.
 */
public enum PrecisionPolicy {
  /** Everything in FP32. */
  FP32(OnnxDataType.FLOAT, false),
  /** FP16 weights and activations; Softmax, reductions and normalization in FP32; FP32 at the boundary. */
  FP16(OnnxDataType.FLOAT16, false),
  /**
   * Q/DQ on the tensors {@code calibrate.QuantizationTargets} names (conv and matmul inputs, residual
   * inputs of adds, global-average-pool inputs), DQ producing FP16 with FP16 between quantized layers:
   * the form TensorRT turns into fast INT8 kernels.
   */
  INT8(OnnxDataType.FLOAT16, true),
  /** The same Q/DQ placement with FP32 between layers: slower on TensorRT, useful to isolate INT8 error. */
  INT8_FP32(OnnxDataType.FLOAT, true);

  private final int floatType;
  private final boolean quantized;

  PrecisionPolicy(int floatType, boolean quantized) {
    this.floatType = floatType;
    this.quantized = quantized;
  }

  /** ONNX element type of float activations and weights between layers. */
  public int floatType() {
    return floatType;
  }

  public boolean quantized() {
    return quantized;
  }

  /** TF-TRT's precision mode for this policy (what segmentation and TRTEngineOp's precision_mode use). */
  public io.trtfleet.segment.PrecisionMode mode() {
    return switch (this) {
      case FP32 -> io.trtfleet.segment.PrecisionMode.FP32;
      case FP16 -> io.trtfleet.segment.PrecisionMode.FP16;
      case INT8, INT8_FP32 -> io.trtfleet.segment.PrecisionMode.INT8;
    };
  }

  public static PrecisionPolicy parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new TrtfleetException("unknown precision '" + text + "': use one of " + Arrays.toString(values()));
    }
  }
}
