package io.trtfleet.fleet;

import static org.apache.spark.sql.functions.col;

import io.trtfleet.TrtfleetException;
import io.trtfleet.graph.Signature;
import io.trtfleet.spark.CalibrateJob;
import io.trtfleet.spark.CalibrationSchema;
import io.trtfleet.spark.InputColumn;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.tensorflow.proto.DataType;

/**
 * Reads the first N labelled samples of a validation set (calibration-set convention: one column per
 * signature input, int {@code label}) on the driver, as batches small enough to broadcast.
 */
public final class ValidationData {

  public static final int BATCH = 100;

  private ValidationData() {}

  public static List<ValidationBatch> load(SparkSession spark, String uri, Signature signature, int samples) {
    Dataset<Row> data = CalibrateJob.readParquet(spark, uri, "validation data");
    if (!Arrays.asList(data.columns()).contains(CalibrationSchema.LABEL)) {
      throw new TrtfleetException("validation data " + uri + " has no int '" + CalibrationSchema.LABEL
          + "' column: accuracy gates need labelled samples");
    }
    List<InputColumn> inputs = CalibrationSchema.match(data.schema(), signature, Map.of(), uri);
    for (InputColumn c : inputs) {
      if (c.dtype() != DataType.DT_FLOAT) {
        throw new TrtfleetException("validation data " + uri + ": input '" + c.inputKey() + "' is not float32;"
            + " fleet validation feeds float inputs only");
      }
    }
    List<Column> cols = new ArrayList<>();
    inputs.forEach(c -> cols.add(col("`" + c.column() + "`")));
    cols.add(col(CalibrationSchema.LABEL));
    List<Row> rows = data.select(cols.toArray(Column[]::new)).limit(samples).collectAsList();
    if (rows.isEmpty()) {
      throw new TrtfleetException("validation data " + uri + " has no rows");
    }
    List<ValidationBatch> batches = new ArrayList<>();
    for (int from = 0; from < rows.size(); from += BATCH) {
      batches.add(batch(rows.subList(from, Math.min(rows.size(), from + BATCH)), inputs, uri));
    }
    return batches;
  }

  private static ValidationBatch batch(List<Row> rows, List<InputColumn> inputs, String uri) {
    List<ValidationBatch.Feed> feeds = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      InputColumn c = inputs.get(i);
      ByteBuffer buf = ByteBuffer.allocate(c.bytesPerSample() * rows.size()).order(ByteOrder.LITTLE_ENDIAN);
      for (Row r : rows) {
        if (c.kind() == InputColumn.Kind.BINARY) {
          buf.put((byte[]) r.get(i));
        } else {
          List<Object> v = r.getList(i);
          if (v.size() != c.elementsPerSample()) {
            throw new TrtfleetException("validation data " + uri + ": column '" + c.column() + "' has a sample of "
                + v.size() + " values, " + c.elementsPerSample() + " expected");
          }
          v.forEach(x -> buf.putFloat(((Number) x).floatValue()));
        }
      }
      feeds.add(new ValidationBatch.Feed(c.inputKey(), c.tensorName(), c.dtype().getNumber(),
          c.batchShape(rows.size()), buf.array()));
    }
    int[] labels = rows.stream().mapToInt(r -> ((Number) r.get(inputs.size())).intValue()).toArray();
    return new ValidationBatch(feeds, labels);
  }
}
