package io.trtfleet.importer;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.graph.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;

/**
 * The values {@link ConstantFolder} gives unknown dimensions when it evaluates shape arithmetic: 1 in the
 * first evaluation, then a distinct large number for each (tensor, dimension), so a result that differs
 * names the dimension it came from.
 */
final class ShapeSentinels {

  static final long SMALL = 1;
  private static final long LARGE = 1_000_003;

  private final Function<TensorRef, TensorSpec> tensors;
  private final List<TensorRef> unknownTensors = new ArrayList<>();
  private final List<Integer> unknownDims = new ArrayList<>();

  ShapeSentinels(Function<TensorRef, TensorSpec> tensors) {
    this.tensors = tensors;
  }

  /** A Shape node as a Const of its static shape, unknown dimensions set to 1 or to their own sentinel. */
  NodeDef shapeConstant(Node shape, boolean large) {
    TensorRef in = shape.dataInputs().get(0);
    long[] dims = tensors.apply(in).shape();
    DataType type = shape.output(0).dtype();
    TensorProto.Builder t = TensorProto.newBuilder().setDtype(type)
        .setTensorShape(TensorSpec.toProto(new long[] {dims.length}));
    for (int d = 0; d < dims.length; d++) {
      long v = dims[d];
      if (v < 0) {
        v = large ? sentinel(index(in, d)) : SMALL;
      }
      if (type == DataType.DT_INT64) {
        t.addInt64Val(v);
      } else {
        t.addIntVal((int) v);
      }
    }
    return GraphFreezer.constant(shape.name(), t.build());
  }

  /** The large sentinel of a tensor's first dimension; -1 when no Shape read it unknown. */
  long batchSentinel(TensorRef tensor) {
    for (int k = 0; k < unknownTensors.size(); k++) {
      if (unknownTensors.get(k).equals(tensor) && unknownDims.get(k) == 0) {
        return sentinel(k);
      }
    }
    return -1;
  }

  private static long sentinel(int k) {
    return LARGE + 7919L * k;
  }

  private int index(TensorRef tensor, int dim) {
    for (int k = 0; k < unknownTensors.size(); k++) {
      if (unknownTensors.get(k).equals(tensor) && unknownDims.get(k) == dim) {
        return k;
      }
    }
    unknownTensors.add(tensor);
    unknownDims.add(dim);
    return unknownTensors.size() - 1;
  }
}
