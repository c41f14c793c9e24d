package io.trtfleet.tensorrt;

/**
 * How an engine binds a TensorFlow NHWC image: a rank-4 FP32 input that the converted model transposes to
 * NCHW before its first layer ({@link NhwcImageInputs}). Other inputs keep the model's shape.
 */
public enum ImageBinding {

  /** As TensorFlow shapes it: NHWC dimensions and bytes, and TensorRT runs the transpose itself. */
  AS_SHAPED,

  /**
   * NCHW dimensions over the NHWC bytes (TensorRT's {@code kHWC} format): clients send the model's images
   * and TensorRT reads them in place. The default.
   */
  CHANNEL_LAST,

  /**
   * NCHW dimensions over NCHW bytes: clients send images already channel-first (a DALI or MLPerf-style
   * pipeline can), as to TensorRT's own engine of an NCHW model. The fastest INT8 binding on an H200
   * (docs/benchmarks/gpu.md); TF-TRT's engine op is fed through a Transpose.
   */
  NCHW
}
