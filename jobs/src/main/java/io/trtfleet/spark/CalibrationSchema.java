package io.trtfleet.spark;

import io.trtfleet.TrtfleetException;
import io.trtfleet.graph.Signature;
import io.trtfleet.graph.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.tensorflow.proto.DataType;

/**
 * Matches a calibration set's Parquet schema against a signature (the convention in
 * calibration-data/README.md): one column per input, named like the input key unless mapped, holding
 * a flattened {@code array<float|int|...>} or little-endian {@code binary} with the per-sample shape
 * in the column metadata key {@value #SHAPE_METADATA}.
 */
public final class CalibrationSchema {

  public static final String SHAPE_METADATA = "shape";
  public static final String LABEL = "label";
  public static final String SPLIT = "split";

  private CalibrationSchema() {}

  public static List<InputColumn> match(StructType schema, Signature signature, Map<String, String> columnForInput,
      String dataUri) {
    List<InputColumn> columns = new ArrayList<>();
    for (Signature.Argument in : signature.inputs()) {
      String column = columnForInput.getOrDefault(in.key(), in.key());
      StructField field = Arrays.stream(schema.fields()).filter(f -> f.name().equals(column)).findFirst()
          .orElseThrow(() -> new TrtfleetException("calibration data " + dataUri + " has no column '" + column
              + "' for signature input '" + in.key() + "' (columns: " + String.join(", ", schema.fieldNames())
              + "): name the column like the input or map it with --input-map " + in.key() + "=COLUMN"));
      columns.add(column(field, in, dataUri));
    }
    return columns;
  }

  private static InputColumn column(StructField field, Signature.Argument in, String dataUri) {
    DataType dtype = in.tensor().dtype();
    long[] sampleShape = sampleShape(field, in, dataUri);
    if (field.dataType() instanceof BinaryType) {
      return new InputColumn(in.key(), in.tensor().name(), field.name(), InputColumn.Kind.BINARY, dtype, sampleShape);
    }
    if (field.dataType() instanceof ArrayType array && isNumeric(array.elementType())) {
      if (dtype != DataType.DT_FLOAT && dtype != DataType.DT_INT32 && dtype != DataType.DT_INT64) {
        throw new TrtfleetException("signature input '" + in.key() + "' is " + TensorSpec.dtypeName(dtype)
            + ": array columns feed float, int32 and int64 inputs only; store it as binary");
      }
      return new InputColumn(in.key(), in.tensor().name(), field.name(), InputColumn.Kind.ARRAY, dtype, sampleShape);
    }
    throw new TrtfleetException("column '" + field.name() + "' of " + dataUri + " is " + field.dataType().simpleString()
        + ", but input '" + in.key() + "' needs array<float|int|bigint|double> (flattened sample) or binary");
  }

  /** The signature's shape without the batch dim; unknown dims come from the column's shape metadata. */
  private static long[] sampleShape(StructField field, Signature.Argument in, String dataUri) {
    long[] full = in.tensor().shape();
    long[] fromMetadata = null;
    if (field.metadata().contains(SHAPE_METADATA)) {
      fromMetadata = field.metadata().getLongArray(SHAPE_METADATA);
    }
    if (full == null || full.length == 0) {
      if (fromMetadata == null) {
        throw new TrtfleetException("input '" + in.key() + "' has no static shape: record the per-sample shape"
            + " in the metadata '" + SHAPE_METADATA + "' of column '" + field.name() + "' in " + dataUri);
      }
      return fromMetadata;
    }
    long[] sample = Arrays.copyOfRange(full, 1, full.length);
    for (int i = 0; i < sample.length; i++) {
      if (sample[i] < 0) {
        if (fromMetadata == null || fromMetadata.length != sample.length) {
          throw new TrtfleetException("input '" + in.key() + "' has shape " + in.tensor().shapeString()
              + ": record the per-sample shape in the metadata '" + SHAPE_METADATA + "' of column '"
              + field.name() + "' in " + dataUri);
        }
        sample[i] = fromMetadata[i];
      }
    }
    if (fromMetadata != null && !Arrays.equals(fromMetadata, sample)) {
      throw new TrtfleetException("column '" + field.name() + "' of " + dataUri + " declares shape "
          + TensorSpec.shapeString(fromMetadata) + " but input '" + in.key() + "' takes "
          + TensorSpec.shapeString(sample) + " per sample");
    }
    return sample;
  }

  private static boolean isNumeric(org.apache.spark.sql.types.DataType t) {
    return t.equals(DataTypes.FloatType) || t.equals(DataTypes.DoubleType) || t.equals(DataTypes.IntegerType)
        || t.equals(DataTypes.LongType) || t.equals(DataTypes.ShortType) || t.equals(DataTypes.ByteType);
  }
}
