package io.trtfleet.spark;

import io.trtfleet.graph.HostTensor;
import io.trtfleet.quantize.CalibrationCollector;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

/**
 * What every calibration task needs (the model travels as a broadcast): the tensors to calibrate, how
 * the rows feed the signature, the batch size and the collector device.
 */
record CalibrationTask(Broadcast<ModelPayload> model, List<String> tensors, List<InputColumn> inputs,
    StructType schema, int batch, CollectorDevice device) implements Serializable {

  /** One batch of a task: the collector, the batch (zero-padded to full size) and how many rows are real. */
  interface BatchWork {
    void accept(CalibrationCollector collector, Map<String, HostTensor> batch, int valid);
  }

  /** Runs {@code work} on this task's rows in batches, counting the samples done into {@code samples}. */
  void forEachBatch(Iterator<Row> rows, LongAccumulator samples, BatchWork work) {
    if (!rows.hasNext()) {
      return;
    }
    try (CalibrationCollector collector = device.open(model.value(), tensors, batch)) {
      SampleBatcher batcher = new SampleBatcher(inputs, schema, batch);
      while (rows.hasNext()) {
        if (batcher.add(rows.next()) || !rows.hasNext()) {
          int valid = batcher.size();
          work.accept(collector, batcher.drain(), valid);
          samples.add(valid);
        }
      }
      collector.flush();  // the GPU collector's last batch may still be in flight
    }
  }
}
