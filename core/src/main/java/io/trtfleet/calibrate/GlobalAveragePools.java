package io.trtfleet.calibrate;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.TreeSet;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorProto;

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
    Node axes = graph.node(in.get(1).node());
    if (!axes.op().equals("Const") || axes.attr("value").isEmpty()) {
      return false;
    }
    TreeSet<Long> set = new TreeSet<>();
    for (long a : ints(axes.attr("value").get().getTensor())) {
      set.add(a < 0 ? a + 4 : a);
    }
    return set.equals(new TreeSet<>(List.of(1L, 2L)));
  }

  private static long[] ints(TensorProto t) {
    if (t.getTensorContent().isEmpty()) {
      return t.getDtype() == DataType.DT_INT64 ? t.getInt64ValList().stream().mapToLong(Long::longValue).toArray()
          : t.getIntValList().stream().mapToLong(Integer::longValue).toArray();
    }
    ByteBuffer b = t.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    boolean wide = t.getDtype() == DataType.DT_INT64;
    long[] out = new long[b.remaining() / (wide ? 8 : 4)];
    for (int i = 0; i < out.length; i++) {
      out[i] = wide ? b.getLong() : b.getInt();
    }
    return out;
  }
}
