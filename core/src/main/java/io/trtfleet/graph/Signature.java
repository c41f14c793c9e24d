package io.trtfleet.graph;

import java.util.List;

/**
 * One SavedModel signature: its key and its named inputs and outputs. Each argument has the key users
 * feed by ({@code x}) and the graph tensor behind it ({@code x:0}).
 */
public record Signature(String key, String methodName, List<Argument> inputs, List<Argument> outputs)
    implements java.io.Serializable {

  public Signature {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  /** A signature argument: its key in the signature and the tensor (name, dtype, shape) it maps to. */
  public record Argument(String key, TensorSpec tensor) implements java.io.Serializable {
    public TensorRef ref() {
      return TensorRef.parse(tensor.name());
    }
  }
}
