package io.trtfleet.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructType;

/**
 * The schema JSON Spark keeps in a Parquet footer, as a {@link StructType}, for the calibration
 * convention's columns (numbers, binary, strings, arrays of them, and the {@code shape} metadata) with
 * Jackson: Spark's own parser ({@link DataType#fromJson}) loads json4s and Scala reflection, a second or
 * two before a preflight verdict. Anything else is left to Spark's parser.
 */
final class SparkSchemaJson {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, DataType> SIMPLE = Map.of("float", DataTypes.FloatType, "double",
      DataTypes.DoubleType, "integer", DataTypes.IntegerType, "long", DataTypes.LongType, "short", DataTypes.ShortType,
      "byte", DataTypes.ByteType, "binary", DataTypes.BinaryType, "string", DataTypes.StringType, "boolean",
      DataTypes.BooleanType);

  private SparkSchemaJson() {}

  static StructType parse(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("the footer's Spark schema is not JSON", e);
    }
    StructType schema = new StructType();
    for (JsonNode f : root.path("fields")) {
      DataType type = type(f.get("type"));
      if (type == null) {
        return (StructType) DataType.fromJson(json);
      }
      schema = schema.add(f.path("name").asText(), type, f.path("nullable").asBoolean(true), metadata(f.path("metadata")));
    }
    return schema;
  }

  /** The type, or null when it is not one of the convention's. */
  private static DataType type(JsonNode t) {
    if (t == null) {
      return null;
    }
    if (t.isTextual()) {
      return SIMPLE.get(t.asText());
    }
    if ("array".equals(t.path("type").asText())) {
      DataType element = type(t.get("elementType"));
      return element == null ? null : DataTypes.createArrayType(element, t.path("containsNull").asBoolean(true));
    }
    return null;
  }

  private static Metadata metadata(JsonNode m) {
    MetadataBuilder b = new MetadataBuilder();
    JsonNode shape = m.get(CalibrationSchema.SHAPE_METADATA);
    if (shape != null && shape.isArray()) {
      long[] dims = new long[shape.size()];
      for (int i = 0; i < dims.length; i++) {
        dims[i] = shape.get(i).asLong();
      }
      b.putLongArray(CalibrationSchema.SHAPE_METADATA, dims);
    }
    return b.build();
  }
}
