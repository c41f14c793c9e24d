package io.trtfleet.graph;

/**
 * A reference to one output of a node, as TensorFlow writes it in a NodeDef input: {@code name},
 * {@code name:1}, or {@code ^name} for a control dependency.
 */
public record TensorRef(String node, int index, boolean control) {

  public TensorRef {
    if (node == null || node.isEmpty()) {
      throw new IllegalArgumentException("tensor reference without a node name");
    }
    if (index < 0 || (control && index != 0)) {
      throw new IllegalArgumentException("bad output index " + index + " for " + node);
    }
  }

  public static TensorRef of(String node, int index) {
    return new TensorRef(node, index, false);
  }

  /** Parses a GraphDef input string ({@code a}, {@code a:2}, {@code ^a}). */
  public static TensorRef parse(String input) {
    if (input.startsWith("^")) {
      return new TensorRef(input.substring(1), 0, true);
    }
    int colon = input.lastIndexOf(':');
    if (colon > 0) {
      String suffix = input.substring(colon + 1);
      if (!suffix.isEmpty() && suffix.chars().allMatch(Character::isDigit)) {
        return new TensorRef(input.substring(0, colon), Integer.parseInt(suffix), false);
      }
    }
    return new TensorRef(input, 0, false);
  }

  /** The GraphDef input form: {@code a} for output 0, {@code a:i} otherwise, {@code ^a} for control. */
  public String toInput() {
    if (control) {
      return "^" + node;
    }
    return index == 0 ? node : node + ":" + index;
  }

  /** The tensor name as signatures and sessions use it: always {@code node:index}. */
  public String tensorName() {
    return node + ":" + index;
  }

  @Override
  public String toString() {
    return control ? toInput() : tensorName();
  }
}
