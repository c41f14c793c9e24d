package io.trtfleet.spark;

import io.trtfleet.TrtfleetException;
import io.trtfleet.graph.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.tensorflow.proto.DataType;

/**
 * Packs rows of a calibration set into batches: one little-endian buffer per input, reused across
 * batches, handed out as {@link HostTensor}s keyed by graph tensor name.
 */
final class SampleBatcher {

  private final List<InputColumn> inputs;
  private final int[] fieldIndex;
  private final int batchSize;
  private final ByteBuffer[] buffers;
  private int filled;

  SampleBatcher(List<InputColumn> inputs, org.apache.spark.sql.types.StructType schema, int batchSize) {
    this.inputs = List.copyOf(inputs);
    this.batchSize = batchSize;
    this.fieldIndex = inputs.stream().mapToInt(c -> schema.fieldIndex(c.column())).toArray();
    this.buffers = inputs.stream()
        .map(c -> ByteBuffer.allocate(c.bytesPerSample() * batchSize).order(ByteOrder.LITTLE_ENDIAN))
        .toArray(ByteBuffer[]::new);
  }

  /** Adds a row; returns true when the batch is full. */
  boolean add(Row row) {
    for (int i = 0; i < inputs.size(); i++) {
      write(row, fieldIndex[i], inputs.get(i), buffers[i]);
    }
    return ++filled == batchSize;
  }

  int size() {
    return filled;
  }

  /**
   * The batch so far, zero-padded to the full batch size (so every batch runs the same kernels), then
   * resets for the next one. {@link #size()} before the call says how many rows are real.
   */
  Map<String, HostTensor> drain() {
    Map<String, HostTensor> feeds = new LinkedHashMap<>();
    for (int i = 0; i < inputs.size(); i++) {
      InputColumn c = inputs.get(i);
      byte[] bytes = new byte[batchSize * c.bytesPerSample()];
      buffers[i].flip();
      buffers[i].get(bytes, 0, buffers[i].remaining());
      buffers[i].clear();
      feeds.put(c.tensorName(), new HostTensor(c.dtype(), c.batchShape(batchSize), bytes));
    }
    filled = 0;
    return feeds;
  }

  private static void write(Row row, int field, InputColumn c, ByteBuffer out) {
    if (row.isNullAt(field)) {
      throw new TrtfleetException("column '" + c.column() + "' has a null sample: fix the data or pass"
          + " --on-bad-rows skip");
    }
    if (c.kind() == InputColumn.Kind.BINARY) {
      byte[] raw = (byte[]) row.get(field);
      if (raw.length != c.bytesPerSample()) {
        throw new TrtfleetException("column '" + c.column() + "' has a " + raw.length + "-byte sample, "
            + c.bytesPerSample() + " expected: fix the data or pass --on-bad-rows skip");
      }
      if (c.dtype() == DataType.DT_FLOAT) {
        ByteBuffer f = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < raw.length; k += 4) {
          if (!Float.isFinite(f.getFloat(k))) {
            throw new TrtfleetException("column '" + c.column() + "' holds NaN/Inf: fix the data or pass"
                + " --on-bad-rows skip");
          }
        }
      }
      out.put(raw);
      return;
    }
    List<Object> values = row.getList(field);
    if (values.size() != c.elementsPerSample()) {
      throw new TrtfleetException("column '" + c.column() + "' has a sample of " + values.size()
          + " elements, " + c.elementsPerSample() + " expected: fix the data or pass --on-bad-rows skip");
    }
    switch (c.dtype()) {
      case DT_FLOAT -> values.forEach(v -> out.putFloat(((Number) v).floatValue()));
      case DT_INT32 -> values.forEach(v -> out.putInt(((Number) v).intValue()));
      case DT_INT64 -> values.forEach(v -> out.putLong(((Number) v).longValue()));
      default -> throw new IllegalStateException("array columns feed float/int inputs only");
    }
  }
}
