package io.trtfleet.calibrationdata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trtfleet.Messages;
import io.trtfleet.TrtfleetException;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.graph.Signature;
import io.trtfleet.graph.TensorSpec;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.tensorflow.proto.DataType;

/**
 * The first N samples of a Parquet set in the calibration-set convention (calibration-data/README.md),
 * read on one machine through Hadoop's FileSystem (file://, s3a://, hdfs://) without Spark: one column per
 * signature input ({@code array<number>} converted to the input's dtype, or little-endian {@code binary}),
 * the per-sample shape from the signature or the column's Spark {@code shape} metadata, optional int
 * {@code label}. Held-out data for validation is small; calibration sets are read by Spark.
 */
final class ParquetSamples {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String uri;
  private final Signature signature;
  private final Configuration conf;

  ParquetSamples(String uri, Signature signature, Configuration conf) {
    this.uri = uri;
    this.signature = signature;
    this.conf = conf;
  }

  /** Rows as per-input tensors of one sample each, plus labels (null when the set has none). */
  SampleRows read(int samples) {
    List<Path> files = files();
    Map<String, long[]> shapes = null;
    SampleRows rows = new SampleRows();
    for (Path file : files) {
      if (rows.size() >= samples) {
        break;
      }
      HadoopInputFile in = input(file);
      if (shapes == null) {
        shapes = sampleShapes(sparkShapes(in, file));
      }
      try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(in).build()) {
        for (GenericRecord r = reader.read(); r != null && rows.size() < samples; r = reader.read()) {
          rows.add(row(r, shapes, file), label(r));
        }
      } catch (IOException | RuntimeException e) { // parquet-mr reports a file that is no Parquet as a RuntimeException
        if (e instanceof TrtfleetException t) {
          throw t;
        }
        throw new TrtfleetException("cannot read " + file + " as Parquet (" + Messages.rootFirstLine(e)
            + "): check the file, and convert other formats with trtfleet calibration-data import", e);
      }
    }
    if (rows.size() == 0) {
      throw new TrtfleetException("--data " + uri + " holds no samples");
    }
    return rows;
  }

  private List<Path> files() {
    Path root = new Path(URI.create(uri.contains("://") || uri.startsWith("/") ? uri
        : new java.io.File(uri).toURI().toString()));
    try {
      FileSystem fs = root.getFileSystem(conf);
      if (!fs.exists(root)) {
        throw new TrtfleetException("--data " + uri + " does not exist: give a Parquet file or a folder of them");
      }
      FileStatus status = fs.getFileStatus(root);
      if (status.isFile()) {
        return List.of(root);
      }
      List<Path> files = Arrays.stream(fs.listStatus(root)).filter(FileStatus::isFile).map(FileStatus::getPath)
          .filter(p -> p.getName().endsWith(".parquet")).sorted().toList();
      if (files.isEmpty()) {
        throw new TrtfleetException("--data " + uri + " has no .parquet files");
      }
      return files;
    } catch (IOException | IllegalArgumentException e) {  // Hadoop reports an unknown host as IllegalArgumentException
      throw new TrtfleetException("cannot read --data " + uri + " (" + Messages.rootFirstLine(e) + "): check the URI,"
          + " the network and the credentials", e);
    }
  }

  private HadoopInputFile input(Path file) {
    try {
      return HadoopInputFile.fromPath(file, conf);
    } catch (IOException e) {
      throw new TrtfleetException("cannot open " + file + " (" + Messages.rootFirstLine(e) + ")", e);
    }
  }

  /** Per-column {@code shape} metadata Spark keeps in the footer (CalibrationSetWriter writes it too). */
  private static Map<String, long[]> sparkShapes(HadoopInputFile in, Path file) {
    Map<String, long[]> out = new LinkedHashMap<>();
    String schema;
    try (ParquetFileReader reader = ParquetFileReader.open(in)) {
      schema = reader.getFooter().getFileMetaData().getKeyValueMetaData().get(CalibrationSetWriter.SPARK_SCHEMA_KEY);
      if (schema == null) {
        return out;
      }
      for (JsonNode field : JSON.readTree(schema).path("fields")) {
        JsonNode shape = field.path("metadata").path("shape");
        if (shape.isArray()) {
          long[] s = new long[shape.size()];
          for (int i = 0; i < s.length; i++) {
            s[i] = shape.get(i).asLong();
          }
          out.put(field.path("name").asText(), s);
        }
      }
      return out;
    } catch (IOException | RuntimeException e) {
      throw new TrtfleetException("cannot read " + file + " as Parquet (" + Messages.rootFirstLine(e)
          + "): check the file, and convert other formats with trtfleet calibration-data import", e);
    }
  }

  /** Per-sample shape of each input: the signature's without the batch, unknown dims from the metadata. */
  private Map<String, long[]> sampleShapes(Map<String, long[]> metadata) {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (Signature.Argument a : signature.inputs()) {
      TensorSpec t = a.tensor();
      long[] declared = metadata.get(a.key());
      if (!t.hasRank() || t.shape().length == 0) {
        if (declared == null) {
          throw new TrtfleetException("input '" + a.key() + "' has shape " + t.shapeString() + ": held-out data feeds"
              + " batches, so record the per-sample shape in the column's '" + "shape' metadata in " + uri);
        }
        shapes.put(a.key(), declared);
        continue;
      }
      long[] sample = Arrays.copyOfRange(t.shape(), 1, t.shape().length);
      for (int i = 0; i < sample.length; i++) {
        if (sample[i] < 0) {
          if (declared == null || declared.length != sample.length) {
            throw new TrtfleetException("input '" + a.key() + "' has shape " + t.shapeString() + ": record the"
                + " per-sample shape in the metadata 'shape' of column '" + a.key() + "' in " + uri);
          }
          sample[i] = declared[i];
        }
      }
      shapes.put(a.key(), sample);
    }
    return shapes;
  }

  private Map<String, HostTensor> row(GenericRecord r, Map<String, long[]> shapes, Path file) {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (Signature.Argument a : signature.inputs()) {
      String column = a.key();
      if (r.getSchema().getField(column) == null) {
        throw new TrtfleetException(file + " has no column '" + column + "' for signature input '" + a.key()
            + "' (columns: " + r.getSchema().getFields().stream().map(org.apache.avro.Schema.Field::name).toList()
            + "): name the column like the input");
      }
      long[] shape = shapes.get(a.key());
      long[] one = new long[shape.length + 1];
      one[0] = 1;
      System.arraycopy(shape, 0, one, 1, shape.length);
      out.put(a.key(), new HostTensor(a.tensor().dtype(), one, bytes(r.get(column), a, shape, file)));
    }
    return out;
  }

  private static byte[] bytes(Object value, Signature.Argument a, long[] shape, Path file) {
    DataType dtype = a.tensor().dtype();
    int n = (int) HostTensor.elementCount(shape);
    String where = file + " column '" + a.key() + "'";
    if (value instanceof ByteBuffer b) {
      if (b.remaining() != n * HostTensor.byteSize(dtype)) {
        throw new TrtfleetException(where + " has a sample of " + b.remaining() + " bytes, input needs " + n + " "
            + TensorSpec.dtypeName(dtype) + " values (" + n * HostTensor.byteSize(dtype) + " bytes)");
      }
      byte[] out = new byte[b.remaining()];
      b.duplicate().get(out);
      return out;
    }
    if (!(value instanceof List<?> list)) {
      throw new TrtfleetException(where + " is neither array<number> nor binary");
    }
    if (list.size() != n) {
      throw new TrtfleetException(where + " has " + list.size() + " values per row, input needs " + n);
    }
    ByteBuffer out = ByteBuffer.allocate(n * HostTensor.byteSize(dtype)).order(ByteOrder.LITTLE_ENDIAN);
    for (Object item : list) {
      // 3-level lists written by Spark may come back as {element: x} records.
      Number x = (Number) (item instanceof GenericRecord g ? g.get(0) : item);
      switch (dtype) {
        case DT_FLOAT -> {
          float f = x.floatValue();
          if (!Float.isFinite(f)) {
            throw new TrtfleetException(where + " holds " + f + ": clean the data (trtfleet calibration-data validate"
                + " lists the bad rows)");
          }
          out.putFloat(f);
        }
        case DT_INT32 -> out.putInt(x.intValue());
        case DT_INT64 -> out.putLong(x.longValue());
        case DT_DOUBLE -> out.putDouble(x.doubleValue());
        default -> throw new TrtfleetException("input '" + a.key() + "' is " + TensorSpec.dtypeName(dtype)
            + ": array columns feed float, int32, int64 and double inputs; store it as binary");
      }
    }
    return out.array();
  }

  private static Integer label(GenericRecord r) {
    Object label = r.getSchema().getField("label") == null ? null : r.get("label");
    return label instanceof Number n ? n.intValue() : null;
  }
}
