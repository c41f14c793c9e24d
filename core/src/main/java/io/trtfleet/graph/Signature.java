package io.trtfleet.graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One SavedModel signature: its key and its named inputs and outputs. Each argument has the key users
 * feed by ({@code x}) and the graph tensor behind it ({@code x:0}).
 *
 * <p>A sparse input {@code k} (a {@code tf.SparseTensor}) is fed as its three dense components, the
 * arguments {@code k/indices} (int64 [n, rank]), {@code k/values} ([n]) and {@code k/dense_shape}
 * (int64 [rank]); {@link #sparseInputs()} groups them again.
 */
public record Signature(String key, String methodName, List<Argument> inputs, List<Argument> outputs)
    implements java.io.Serializable {

  public static final String SPARSE_INDICES = "/indices";
  public static final String SPARSE_VALUES = "/values";
  public static final String SPARSE_DENSE_SHAPE = "/dense_shape";

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

  /** The three dense components of one sparse input. */
  public record SparseInput(String key, Argument indices, Argument values, Argument denseShape)
      implements java.io.Serializable {}

  /** The sparse inputs, by the naming of their components, in input order. */
  public List<SparseInput> sparseInputs() {
    Map<String, Argument> byKey = new LinkedHashMap<>();
    inputs.forEach(a -> byKey.put(a.key(), a));
    List<SparseInput> out = new ArrayList<>();
    for (Argument a : inputs) {
      if (a.key().endsWith(SPARSE_INDICES)) {
        String base = a.key().substring(0, a.key().length() - SPARSE_INDICES.length());
        Argument values = byKey.get(base + SPARSE_VALUES);
        Argument shape = byKey.get(base + SPARSE_DENSE_SHAPE);
        if (values != null && shape != null) {
          out.add(new SparseInput(base, a, values, shape));
        }
      }
    }
    return out;
  }
}
