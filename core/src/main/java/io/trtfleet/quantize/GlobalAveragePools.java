package io.trtfleet.quantize;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import java.util.List;
import java.util.TreeSet;

/**
 * Keras' GlobalAveragePooling2D as TensorFlow writes it: a Mean over axes 1 and 2 of an NHWC tensor.
 * The converter makes it a pooling layer, and under INT8 quantizes its input, which TensorRT fuses into
 * a quantized average pool fed by the last residual block's conv + add + ReLU (as in its own INT8
 * ResNet-50); calibration therefore measures that input too.
 */
public final class GlobalAveragePools {

  private GlobalAveragePools() {}

  public static boolean is(FrozenGraph graph, Node node) {
    List<TensorRef> in = node.dataInputs();
    if (!node.op().equals("Mean") || in.size() != 2 || graph.tensor(in.get(0)).rank() != 4) {
      return false;
    }
    TreeSet<Long> axes = new TreeSet<>();
    for (long a : graph.constInts(in.get(1)).orElse(new long[0])) {
      axes.add(a < 0 ? a + 4 : a);
    }
    return axes.equals(new TreeSet<>(List.of(1L, 2L)));
  }
}
