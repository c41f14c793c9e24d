package io.trtfleet.graph;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;

/**
 * One node of a frozen graph: its NodeDef plus the dtype and static shape of each output, as
 * TensorFlow's own shape inference gave them when the graph was imported.
 */
public record Node(NodeDef def, List<TensorRef> inputs, List<TensorSpec> outputs) {

  public Node {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  public String name() {
    return def.getName();
  }

  public String op() {
    return def.getOp();
  }

  /** Data inputs only, in order (control dependencies left out). */
  public List<TensorRef> dataInputs() {
    return inputs.stream().filter(r -> !r.control()).toList();
  }

  public Map<String, AttrValue> attrs() {
    return def.getAttrMap();
  }

  public Optional<AttrValue> attr(String key) {
    return Optional.ofNullable(def.getAttrMap().get(key));
  }

  public String stringAttr(String key, String fallback) {
    return attr(key).map(a -> a.getS().toStringUtf8()).orElse(fallback);
  }

  public long intAttr(String key, long fallback) {
    return attr(key).map(AttrValue::getI).orElse(fallback);
  }

  public float floatAttr(String key, float fallback) {
    return attr(key).map(AttrValue::getF).orElse(fallback);
  }

  public boolean boolAttr(String key, boolean fallback) {
    return attr(key).map(AttrValue::getB).orElse(fallback);
  }

  public List<Long> intListAttr(String key) {
    return attr(key).map(a -> a.getList().getIList()).orElse(List.of());
  }

  public Optional<DataType> typeAttr(String key) {
    return attr(key).map(AttrValue::getType);
  }

  public TensorSpec output(int index) {
    return outputs.get(index);
  }
}
