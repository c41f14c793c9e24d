package io.trtfleet.convert;

import io.trtfleet.graph.TensorSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One TensorFlow tensor of a segment and the ONNX values that hold it: its primary (first converted)
 * form, plus each layout/element-type/quantized view asked for since, or the constant it folds to.
 */
final class TensorValue {

  /** How one ONNX value holds the tensor. */
  record ViewKey(Layout layout, int elemType, boolean quantized) {}

  final String tfName;
  final TensorSpec spec;
  final Constant constant;
  final Map<ViewKey, String> views = new LinkedHashMap<>();
  ViewKey primary;
  /**
   * For the [N, C] output of a global average pool: the [N, C, 1, 1] ONNX value it was flattened from,
   * which a dense layer reads as a 1x1 convolution under INT8/FP8 ({@link MatMulConverter}); else null.
   */
  String unflattened;

  TensorValue(String tfName, TensorSpec spec, Constant constant) {
    this.tfName = tfName;
    this.spec = spec;
    this.constant = constant;
  }

  /** A tensor held by one ONNX value in {@code layout} and {@code elemType}. */
  static TensorValue held(String tfName, TensorSpec spec, String onnxName, Layout layout, int elemType) {
    TensorValue v = new TensorValue(tfName, spec, null);
    ViewKey key = new ViewKey(layout, elemType, false);
    v.views.put(key, onnxName);
    v.primary = key;
    return v;
  }

  int rank() {
    return spec.rank();
  }

  long[] shape() {
    return spec.shape();
  }

  boolean isConstant() {
    return constant != null;
  }

  Layout layout() {
    return primary == null ? Layout.AS_IS : primary.layout();
  }
}
