package io.trtfleet.spark;

import io.trtfleet.graph.HostTensor;
import io.trtfleet.graph.TensorSpec;
import java.io.Serializable;
import org.tensorflow.proto.DataType;

/**
 * How one signature input is stored in a calibration set: its column, whether it is a flattened
 * {@code array<...>} or little-endian {@code binary}, and the per-sample shape (signature shape
 * without the batch dimension).
 */
public record InputColumn(String inputKey, String tensorName, String column, Kind kind, DataType dtype,
    long[] sampleShape) implements Serializable {

  public enum Kind { ARRAY, BINARY }

  public InputColumn {
    sampleShape = sampleShape.clone();
  }

  @Override
  public long[] sampleShape() {
    return sampleShape.clone();
  }

  public long elementsPerSample() {
    return HostTensor.elementCount(sampleShape);
  }

  public int bytesPerSample() {
    return (int) (elementsPerSample() * HostTensor.byteSize(dtype));
  }

  /** Batch shape for n samples: [n, sample dims...]. */
  public long[] batchShape(int n) {
    long[] s = new long[sampleShape.length + 1];
    s[0] = n;
    System.arraycopy(sampleShape, 0, s, 1, sampleShape.length);
    return s;
  }

  @Override
  public String toString() {
    return column + " (" + kind.name().toLowerCase() + " " + TensorSpec.dtypeName(dtype)
        + TensorSpec.shapeString(sampleShape) + " -> " + tensorName + ")";
  }
}
