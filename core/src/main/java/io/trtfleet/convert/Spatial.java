package io.trtfleet.convert;

import io.trtfleet.graph.Node;
import java.util.List;

/**
 * Reads the spatial attributes that Conv2D, DepthwiseConv2dNative and the pools share (data format,
 * strides, dilations, kernel size, padding) and turns TensorFlow padding into ONNX explicit pads.
 */
final class Spatial {

  final boolean nhwc;
  final long[] strides;   // [h, w]
  final long[] dilations; // [h, w]

  private Spatial(boolean nhwc, long[] strides, long[] dilations) {
    this.nhwc = nhwc;
    this.strides = strides;
    this.dilations = dilations;
  }

  static Spatial of(Node node) {
    String format = node.stringAttr("data_format", "NHWC");
    if (!format.equals("NHWC") && !format.equals("NCHW")) {
      throw new UnsupportedNodeException(node, "data_format " + format + " (only NHWC and NCHW are 2-D)");
    }
    boolean nhwc = format.equals("NHWC");
    return new Spatial(nhwc, hw(node, "strides", nhwc), hw(node, "dilations", nhwc));
  }

  /** The H and W entries of a 4-element attribute in data-format order ([1,1] when absent). */
  static long[] hw(Node node, String attr, boolean nhwc) {
    List<Long> v = node.intListAttr(attr);
    if (v.isEmpty()) {
      return new long[] {1, 1};
    }
    if (v.size() != 4) {
      throw new UnsupportedNodeException(node, attr + " " + v + " is not 4 values");
    }
    if (v.get(0) != 1 || v.get(nhwc ? 3 : 1) != 1) {
      throw new UnsupportedNodeException(node, attr + " " + v + " steps over batch or channels");
    }
    return nhwc ? new long[] {v.get(1), v.get(2)} : new long[] {v.get(2), v.get(3)};
  }

  /** Layout in which the op's input is channels-first (what ONNX Conv/Pool need). */
  Layout channelsFirst() {
    return nhwc ? Layout.NCHW : Layout.AS_IS;
  }

  /** [H, W] of a TensorFlow input shape in this data format (-1 when unknown). */
  long[] spatialDims(long[] shape) {
    return nhwc ? new long[] {shape[1], shape[2]} : new long[] {shape[2], shape[3]};
  }

  long channels(long[] shape) {
    return nhwc ? shape[3] : shape[1];
  }

  /**
   * ONNX pads [h_begin, w_begin, h_end, w_end] for TensorFlow padding, or null when SAME padding needs
   * an input size that is unknown (the caller then uses auto_pad SAME_UPPER, TensorFlow's rule).
   */
  long[] pads(Node node, long[] inputShape, long[] kernel) {
    String padding = node.stringAttr("padding", "VALID");
    switch (padding) {
      case "VALID" -> {
        return new long[4];
      }
      case "SAME" -> {
        long[] in = spatialDims(inputShape);
        if (in[0] < 0 || in[1] < 0) {
          return null;
        }
        long[] pads = new long[4];
        for (int i = 0; i < 2; i++) {
          long out = (in[i] + strides[i] - 1) / strides[i];
          long effective = (kernel[i] - 1) * dilations[i] + 1;
          long total = Math.max((out - 1) * strides[i] + effective - in[i], 0);
          pads[i] = total / 2;          // TensorFlow puts the odd pixel at the end (SAME_UPPER)
          pads[i + 2] = total - total / 2;
        }
        return pads;
      }
      case "EXPLICIT" -> {
        List<Long> p = node.intListAttr("explicit_paddings");
        if (p.size() != 8) {
          throw new UnsupportedNodeException(node, "explicit_paddings " + p + " is not 8 values");
        }
        int h = nhwc ? 2 : 4;
        int w = nhwc ? 4 : 6;
        return new long[] {p.get(h), p.get(w), p.get(h + 1), p.get(w + 1)};
      }
      default -> throw new UnsupportedNodeException(node, "padding " + padding);
    }
  }
}
