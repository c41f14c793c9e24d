package io.trtfleet.calibrationdata;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trtfleet.TrtfleetException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;

/**
 * Writes a calibration set as one local Parquet file with parquet-avro, in the convention of
 * calibration-data/README.md: one row per sample; the input column as {@code array<float>} (the sample
 * flattened in C order, written as the standard 3-level Parquet LIST that Spark reads); an optional
 * {@code label} int column; an optional {@code split} string column.
 *
 * <p>The per-sample shape is recorded three ways: in the Spark schema that Spark SQL reads from the
 * footer key {@value #SPARK_SCHEMA_KEY} (so {@code StructField.metadata()} holds {@code shape}, which
 * {@code CalibrationSchema} checks against the signature), as the Avro field property {@code shape}, and
 * in the footer key {@value #METADATA_KEY} (JSON with the columns, shapes and the import's provenance).
 *
 * <p>Rows go to a hidden temporary file next to the output; {@link #commit()} renames it into place,
 * and {@link #close()} without a commit deletes it, so the output is never half written. Nothing in the
 * file depends on the time or the machine: the same rows and options give the same rows, schema and
 * metadata (not always the same bytes: parquet-mr lists each column chunk's encodings from a hash set
 * of enums, in an order that can change between JVM runs).
 */
public final class CalibrationSetWriter implements AutoCloseable {

  /** Footer key Spark SQL reads its schema (with field metadata) from. */
  public static final String SPARK_SCHEMA_KEY = "org.apache.spark.sql.parquet.row.metadata";
  /** Footer key with this writer's description of the set (JSON). */
  public static final String METADATA_KEY = "trtfleet.calibration";
  public static final String LABEL = "label";
  public static final String SPLIT = "split";
  public static final String SHAPE = "shape";
  public static final CompressionCodecName DEFAULT_COMPRESSION = CompressionCodecName.ZSTD;

  private static final Pattern COLUMN_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final Path out;
  private final Path staging;
  private final String column;
  private final int sampleSize;
  private final boolean labels;
  private final String split;
  private final boolean overwrite;
  private final Schema schema;
  private final ParquetWriter<GenericRecord> writer;
  private long rows;
  private boolean closed;

  private CalibrationSetWriter(Builder b) throws IOException {
    this.out = b.out.toAbsolutePath().normalize();
    this.column = b.column;
    this.sampleSize = Math.toIntExact(Arrays.stream(b.shape).reduce(1, Math::multiplyExact));
    this.labels = b.labels;
    this.split = b.split;
    this.overwrite = b.overwrite;
    this.schema = avroSchema(b.column, b.shape, b.labels, b.split != null);
    this.staging = out.resolveSibling("." + out.getFileName() + "." + UUID.randomUUID() + ".tmp");

    Configuration conf = new Configuration();
    // The raw local file system: no .crc side files next to the output.
    conf.set("fs.file.impl", RawLocalFileSystem.class.getName());
    conf.setBoolean("fs.file.impl.disable.cache", true);
    // The standard 3-level LIST (Spark's layout); parquet-avro writes the legacy 2-level one by default.
    conf.setBoolean(AvroWriteSupport.WRITE_OLD_LIST_STRUCTURE, false);
    Map<String, String> footer = new LinkedHashMap<>();
    footer.put(SPARK_SCHEMA_KEY, sparkSchemaJson(b.column, b.shape, b.labels, b.split != null));
    footer.put(METADATA_KEY, descriptionJson(b));
    this.writer = AvroParquetWriter.<GenericRecord>builder(
            HadoopOutputFile.fromPath(new org.apache.hadoop.fs.Path(staging.toUri()), conf))
        .withConf(conf)
        .withSchema(schema)
        .withDataModel(GenericData.get())
        .withCompressionCodec(b.compression)
        .withWriteMode(ParquetFileWriter.Mode.CREATE)
        .withExtraMetaData(footer)
        .build();
  }

  /**
   * @param out the Parquet file to write (local)
   * @param column the input column's name (the signature input key it feeds, unless mapped)
   * @param sampleShape the per-sample shape, without the batch dimension
   */
  public static Builder builder(Path out, String column, long[] sampleShape) {
    return new Builder(out, column, sampleShape);
  }

  /** Appends a sample without a label (sets built without {@link Builder#labels(boolean)}). */
  public void write(float[] sample) {
    if (labels) {
      throw new IllegalStateException("this calibration set has a label column: write(sample, label)");
    }
    append(sample, 0);
  }

  public void write(float[] sample, int label) {
    if (!labels) {
      throw new IllegalStateException("this calibration set has no label column: write(sample)");
    }
    append(sample, label);
  }

  private void append(float[] sample, int label) {
    if (closed) {
      throw new IllegalStateException("writer for " + out + " is closed");
    }
    if (sample.length != sampleSize) {
      throw new IllegalArgumentException("Invalid sample for column '" + column + "': " + sample.length
          + " values, the shape needs " + sampleSize);
    }
    GenericRecord r = new GenericData.Record(schema);
    r.put(column, sample);  // AvroWriteSupport writes primitive float[] as a list without boxing
    if (labels) {
      r.put(LABEL, label);
    }
    if (split != null) {
      r.put(SPLIT, split);
    }
    try {
      writer.write(r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write calibration set " + out, e);
    }
    rows++;
  }

  public long rows() {
    return rows;
  }

  /** Finishes the file and moves it to the output path. */
  public Path commit() {
    if (closed) {
      throw new IllegalStateException("writer for " + out + " is closed");
    }
    closed = true;
    try {
      writer.close();
      if (overwrite) {
        Files.move(staging, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.move(staging, out, StandardCopyOption.ATOMIC_MOVE);
      }
      return out;
    } catch (IOException e) {
      deleteStaging();
      throw new UncheckedIOException("cannot finish calibration set " + out, e);
    }
  }

  /** Abandons the file unless {@link #commit()} ran. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      writer.close();
    } catch (IOException | RuntimeException ignored) {
      // the staging file is deleted either way
    } finally {
      deleteStaging();
    }
  }

  private void deleteStaging() {
    try {
      Files.deleteIfExists(staging);
    } catch (IOException ignored) {
      // nothing else to do; the name is hidden and unique
    }
  }

  static Schema avroSchema(String column, long[] shape, boolean labels, boolean split) {
    Schema array = Schema.createArray(Schema.create(Schema.Type.FLOAT));
    SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record("CalibrationSample")
        .namespace("io.trtfleet.calibration")
        .doc("One calibration sample per row (trtfleet calibration-data convention)")
        .fields()
        .name(column).prop(SHAPE, Arrays.stream(shape).boxed().toList()).type(array).noDefault();
    if (labels) {
      fields = fields.name(LABEL).type().intType().noDefault();
    }
    if (split) {
      fields = fields.name(SPLIT).type().stringType().noDefault();
    }
    return fields.endRecord();
  }

  /** The StructType JSON Spark writes itself: array<float> (no nulls) with {"shape": [...]} metadata. */
  static String sparkSchemaJson(String column, long[] shape, boolean labels, boolean split) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode().put("type", "struct");
    ArrayNode fields = root.putArray("fields");
    ObjectNode input = fields.addObject().put("name", column);
    input.putObject("type").put("type", "array").put("elementType", "float").put("containsNull", false);
    input.put("nullable", false);
    ArrayNode dims = input.putObject("metadata").putArray(SHAPE);
    Arrays.stream(shape).forEach(dims::add);
    if (labels) {
      fields.addObject().put("name", LABEL).put("type", "integer").put("nullable", false).putObject("metadata");
    }
    if (split) {
      fields.addObject().put("name", SPLIT).put("type", "string").put("nullable", false).putObject("metadata");
    }
    return write(json, root);
  }

  private static String descriptionJson(Builder b) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode().put("format_version", 1);
    ObjectNode input = root.putObject("columns").putObject(b.column);
    input.put("type", "array<float>");
    ArrayNode dims = input.putArray(SHAPE);
    Arrays.stream(b.shape).forEach(dims::add);
    if (b.labels) {
      root.put("label", LABEL);
    }
    if (b.split != null) {
      root.put("split", b.split);
    }
    if (!b.provenance.isEmpty()) {
      root.set("source", json.valueToTree(b.provenance));
    }
    return write(json, root);
  }

  private static String write(ObjectMapper json, ObjectNode node) {
    try {
      return json.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Options of a calibration set file; {@link #build()} checks them and opens the file. */
  public static final class Builder {
    private final Path out;
    private final String column;
    private final long[] shape;
    private boolean labels;
    private String split;
    private boolean overwrite;
    private CompressionCodecName compression = DEFAULT_COMPRESSION;
    private final Map<String, Object> provenance = new LinkedHashMap<>();

    private Builder(Path out, String column, long[] shape) {
      this.out = out;
      this.column = column;
      this.shape = shape == null ? null : shape.clone();
    }

    /** Adds the {@code label} int column. */
    public Builder labels(boolean labels) {
      this.labels = labels;
      return this;
    }

    /** Adds the {@code split} string column holding this value in every row; null for none. */
    public Builder split(String split) {
      this.split = split;
      return this;
    }

    /** Replaces an existing output file (otherwise an existing file is an error). */
    public Builder overwrite(boolean overwrite) {
      this.overwrite = overwrite;
      return this;
    }

    public Builder compression(CompressionCodecName compression) {
      this.compression = compression;
      return this;
    }

    /** Records how the set was made (source files, sampling) under "source" in {@value #METADATA_KEY}. */
    public Builder provenance(String key, Object value) {
      provenance.put(key, value);
      return this;
    }

    public CalibrationSetWriter build() {
      if (out == null || out.getFileName() == null) {
        throw new IllegalArgumentException("Invalid output: a Parquet file path is required");
      }
      if (column == null || !COLUMN_NAME.matcher(column).matches()) {
        throw new IllegalArgumentException("Invalid input column name '" + column + "': use letters, digits and _"
            + " (not starting with a digit); map it to the signature input with --input-map INPUT=COLUMN");
      }
      if (column.equals(LABEL) || column.equals(SPLIT)) {
        throw new IllegalArgumentException("Invalid input column name '" + column + "': '" + LABEL + "' and '"
            + SPLIT + "' are reserved");
      }
      if (shape == null || shape.length == 0 || Arrays.stream(shape).anyMatch(d -> d <= 0)) {
        throw new IllegalArgumentException("Invalid sample shape " + (shape == null ? "null" : Arrays.toString(shape))
            + ": positive dimensions required");
      }
      if (split != null && split.isBlank()) {
        throw new IllegalArgumentException("Invalid split name: empty");
      }
      if (compression == null) {
        throw new IllegalArgumentException("Invalid compression: null");
      }
      Path target = out.toAbsolutePath().normalize();
      if (Files.isDirectory(target)) {
        throw new TrtfleetException("output " + out + " is a directory: --out takes a file path such as set.parquet");
      }
      if (Files.exists(target) && !overwrite) {
        throw new TrtfleetException("output " + out + " exists: pass --overwrite to replace it or choose another --out");
      }
      Path parent = target.getParent();
      try {
        Files.createDirectories(parent);
        return new CalibrationSetWriter(this);
      } catch (IOException e) {
        throw new TrtfleetException("cannot create " + out + ": " + e.getMessage(), e);
      }
    }
  }

  /** Parses a compression name (none, snappy, gzip, zstd, lz4_raw), case-insensitive. */
  public static CompressionCodecName compression(String name) {
    String n = name.trim().toUpperCase(Locale.ROOT);
    if (n.equals("NONE")) {
      n = "UNCOMPRESSED";
    }
    try {
      CompressionCodecName c = CompressionCodecName.valueOf(n);
      if (c == CompressionCodecName.LZO || c == CompressionCodecName.BROTLI || c == CompressionCodecName.LZ4) {
        throw new IllegalArgumentException();
      }
      return c;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Invalid --compression '" + name + "': use zstd, snappy, gzip, lz4_raw or none");
    }
  }
}
