package io.trtfleet.convert;

import io.trtfleet.Precision;
import io.trtfleet.onnx.OnnxDataType;
import io.trtfleet.onnx.OnnxGraphBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A tensor in the layout and element type a reader asks for: the Transpose or Cast (or the re-laid-out
 * initializer of a constant) is emitted once and shared by all readers, so no tensor is ever transposed
 * or cast twice.
 */
final class Views {

  private final OnnxGraphBuilder onnx;
  private final Precision precision;

  Views(OnnxGraphBuilder onnx, Precision precision) {
    this.onnx = onnx;
    this.precision = precision;
  }

  /** Element type of float activations and weights between layers under the policy. */
  int floatType() {
    return precision.halfBetweenLayers() ? OnnxDataType.FLOAT16 : OnnxDataType.FLOAT;
  }

  /** The ONNX element type a float tensor should have between layers (ints keep their type). */
  int computeType(TensorValue v) {
    int natural = OnnxDataType.of(v.spec.dtype());
    return OnnxDataType.isFloat(natural) ? floatType() : natural;
  }

  /** The tensor in {@code layout} with its between-layers type. */
  String view(TensorValue v, Layout layout) {
    return view(v, layout, computeType(v));
  }

  /** The tensor in {@code layout} and {@code elemType}, emitting a Transpose and/or Cast once if needed. */
  String view(TensorValue v, Layout layout, int elemType) {
    if (layout == Layout.NCHW && v.rank() != 4 && !(v.isConstant() && v.rank() < 4)) {
      throw new IllegalStateException("NCHW view of rank-" + v.rank() + " tensor " + v.tfName);
    }
    TensorValue.ViewKey key = new TensorValue.ViewKey(layout, elemType, false);
    String have = v.views.get(key);
    if (have != null) {
      return have;
    }
    String name;
    if (v.isConstant()) {
      name = constantInitializer(v, layout, elemType);
    } else {
      TensorValue.ViewKey sameLayout = v.views.keySet().stream()
          .filter(k -> k.layout() == layout && !k.quantized()).findFirst().orElse(null);
      if (sameLayout != null) {
        name = onnx.node("Cast", List.of(v.views.get(sameLayout)), v.tfName + "_" + OnnxDataType.name(elemType),
            OnnxGraphBuilder.attr("to", (long) elemType));
      } else {
        TensorValue.ViewKey sameType = new TensorValue.ViewKey(v.primary.layout(), elemType, false);
        String source = v.views.containsKey(sameType) ? v.views.get(sameType) : view(v, v.primary.layout(), elemType);
        long[] perm = layout == Layout.NCHW ? Layout.TO_NCHW : Layout.TO_NHWC;
        name = onnx.node("Transpose", List.of(source), v.tfName + "_" + layout.name().toLowerCase(),
            OnnxGraphBuilder.ints("perm", perm));
      }
    }
    v.views.put(key, name);
    return name;
  }

  /**
   * The tensor in the memory order of its TensorFlow shape, for ops that only see memory order
   * (Reshape, Squeeze): an NCHW value whose H and W (or C) are 1 already has that order, so no
   * Transpose is needed.
   */
  String rowMajorView(TensorValue v) {
    if (v.layout() == Layout.NCHW && !v.isConstant()) {
      long[] s = v.shape();
      if ((s[1] == 1 && s[2] == 1) || s[3] == 1) {
        return view(v, Layout.NCHW);
      }
    }
    return view(v, Layout.AS_IS);
  }

  private String constantInitializer(TensorValue v, Layout layout, int elemType) {
    Constant c = layout == Layout.NCHW ? v.constant.toNchw() : v.constant;
    String base = v.tfName.replace(":0", "");
    if (c.isFloat()) {
      if (!OnnxDataType.isFloat(elemType) || elemType == OnnxDataType.DOUBLE) {
        throw new IllegalStateException("float constant " + v.tfName + " requested as " + OnnxDataType.name(elemType));
      }
      return onnx.floats(base, c.shape(), c.floats(), elemType);
    }
    long[] ints = c.ints();
    if (elemType == OnnxDataType.INT64) {
      ByteBuffer b = ByteBuffer.allocate(ints.length * 8).order(ByteOrder.LITTLE_ENDIAN);
      b.asLongBuffer().put(ints);
      return onnx.initializer(base, elemType, c.shape(), b.array());
    }
    if (elemType == OnnxDataType.INT32) {
      ByteBuffer b = ByteBuffer.allocate(ints.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (long x : ints) {
        b.putInt((int) x);
      }
      return onnx.initializer(base, elemType, c.shape(), b.array());
    }
    if (elemType == OnnxDataType.BOOL) {
      byte[] b = new byte[ints.length];
      for (int i = 0; i < b.length; i++) {
        b[i] = (byte) (ints[i] != 0 ? 1 : 0);
      }
      return onnx.initializer(base, elemType, c.shape(), b);
    }
    float[] f = new float[ints.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = ints[i];
    }
    return onnx.floats(base, c.shape(), f, elemType);
  }
}
