package io.trtfleet.fleet;

import io.trtfleet.graph.HostTensor;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.DataType;

/** One batch of labelled validation samples as it travels to executors (HostTensor is not Serializable). */
public record ValidationBatch(List<Feed> feeds, int[] labels) implements Serializable {

  /** One input: signature key, graph tensor name, dtype number, shape and little-endian bytes. */
  public record Feed(String key, String tensor, int dtype, long[] shape, byte[] data) implements Serializable {}

  public ValidationBatch {
    feeds = List.copyOf(feeds);
  }

  public int rows() {
    return labels.length;
  }

  /** Inputs by graph tensor name (what ONNX Runtime and TensorRT take). */
  public Map<String, HostTensor> byTensor() {
    Map<String, HostTensor> m = new LinkedHashMap<>();
    feeds.forEach(f -> m.put(f.tensor(), tensor(f)));
    return m;
  }

  /** Inputs by signature key (what the TensorFlow reference takes). */
  public Map<String, HostTensor> byKey() {
    Map<String, HostTensor> m = new LinkedHashMap<>();
    feeds.forEach(f -> m.put(f.key(), tensor(f)));
    return m;
  }

  private static HostTensor tensor(Feed f) {
    return new HostTensor(DataType.forNumber(f.dtype()), f.shape(), f.data());
  }

  /** Rows whose arg-max over a [rows, classes] output equals the label. */
  public static long hits(HostTensor out, int[] labels) {
    return io.trtfleet.verify.Verifier.top1Hits(out, labels);
  }
}
