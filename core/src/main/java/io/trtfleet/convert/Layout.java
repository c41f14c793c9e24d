package io.trtfleet.convert;

/**
 * How an ONNX value holds a TensorFlow tensor. TensorFlow graphs are NHWC; ONNX (and TensorRT's
 * fastest convolution path through the ONNX parser) is NCHW. Rank-4 activations are moved to
 * {@link #NCHW} once, at the segment boundary, and stay there through every layout-aware or
 * element-wise op; only ops that depend on memory order (Reshape, MatMul...) ask for {@link #AS_IS}.
 */
enum Layout {
  /** Same dimension order as the TensorFlow tensor. */
  AS_IS,
  /** A rank-4 NHWC tensor held as NCHW (permutation 0,3,1,2). */
  NCHW;

  static final long[] TO_NCHW = {0, 3, 1, 2};
  static final long[] TO_NHWC = {0, 2, 3, 1};
  /** Where NHWC axis {@code a} sits in NCHW. */
  static final int[] NHWC_AXIS_IN_NCHW = {0, 2, 3, 1};
}
