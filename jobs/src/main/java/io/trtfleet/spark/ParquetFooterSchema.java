package io.trtfleet.spark;

import io.trtfleet.TrtfleetException;
import io.trtfleet.calibrationdata.CalibrationSetWriter;
import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.format.KeyValue;
import org.apache.parquet.format.Util;
import org.apache.spark.sql.execution.datasources.parquet.ParquetToSparkSchemaConverter;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.StructType;

/**
 * The schema Spark would read from a Parquet set, from one file's footer and without starting Spark:
 * the footer's Spark schema (with field metadata such as {@code shape}) when a Spark-aware writer left
 * one, else the Parquet schema converted as Spark converts it. Only the footer is read, and for sets
 * in the convention (local, with the Spark schema) without loading Hadoop, parquet-hadoop's reader or
 * Spark's JSON parser: the verdict comes in about a second.
 */
final class ParquetFooterSchema {

  private ParquetFooterSchema() {}

  /** @param conf Hadoop settings for remote URIs; a {@link Supplier}, as local sets never need them */
  static StructType read(String uri, Supplier<Configuration> conf, String what) {
    InputFile file = local(uri).map(p -> firstLocalFile(p, uri, what)).orElseGet(() -> firstDataFile(uri, conf.get(), what));
    try {
      Optional<String> json = sparkSchemaJson(file);
      if (json.isPresent()) {
        return SparkSchemaJson.parse(json.get());
      }
      try (ParquetFileReader reader = ParquetFileReader.open(file)) {
        return new ParquetToSparkSchemaConverter(new SQLConf()).convert(reader.getFooter().getFileMetaData().getSchema());
      }
    } catch (IOException | RuntimeException e) { // parquet-mr reports a file that is no Parquet as a RuntimeException
      throw ParquetErrors.readFailure(what, uri, e);
    }
  }

  /**
   * The footer's Spark schema, straight from the Thrift footer (the file ends with the footer, its
   * length and "PAR1"): parquet-hadoop's reader would first load Hadoop. Empty when there is none, or
   * when the footer is encrypted ("PARE"), which the full reader handles.
   */
  static Optional<String> sparkSchemaJson(InputFile file) throws IOException {
    long length = file.getLength();
    if (length < 12) {
      throw new IOException("only " + length + " bytes: no Parquet file");
    }
    try (SeekableInputStream in = file.newStream()) {
      byte[] tail = new byte[8];
      in.seek(length - 8);
      in.readFully(tail);
      String magic = new String(tail, 4, 4, StandardCharsets.US_ASCII);
      if (magic.equals("PARE")) {
        return Optional.empty();
      }
      int footer = ByteBuffer.wrap(tail, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
      if (!magic.equals("PAR1") || footer <= 0 || footer > length - 12) {
        throw new IOException("no Parquet footer at the end of the file");
      }
      byte[] bytes = new byte[footer];
      in.seek(length - 8 - footer);
      in.readFully(bytes);
      List<KeyValue> keys = Util.readFileMetaData(new ByteArrayInputStream(bytes)).getKey_value_metadata();
      return keys == null ? Optional.empty() : keys.stream()
          .filter(k -> k.getKey().equals(CalibrationSetWriter.SPARK_SCHEMA_KEY)).map(KeyValue::getValue).findFirst();
    }
  }

  /** A path on this machine (no scheme, or file:), read without Hadoop: loading Hadoop costs about a second. */
  private static Optional<java.nio.file.Path> local(String uri) {
    try {
      if (uri.startsWith("file:/")) {
        return Optional.of(java.nio.file.Path.of(java.net.URI.create(uri)));
      }
      return uri.matches("[A-Za-z][A-Za-z0-9+.-]*:.*") ? Optional.empty() : Optional.of(java.nio.file.Path.of(uri));
    } catch (IllegalArgumentException e) {
      return Optional.empty();  // a URI Java cannot map to a path: Hadoop has the last word
    }
  }

  private static InputFile firstLocalFile(java.nio.file.Path root, String uri, String what) {
    if (!Files.exists(root)) {
      throw new TrtfleetException("cannot read " + what + " " + uri + ": it does not exist; check the URI");
    }
    if (Files.isRegularFile(root)) {
      return new LocalInputFile(root);
    }
    try (Stream<java.nio.file.Path> files = Files.walk(root)) {
      return files.filter(f -> Files.isRegularFile(f) && dataFile(root.toString(), f.toString()) && f.toFile().length() > 0)
          .min(java.util.Comparator.comparing(java.nio.file.Path::toString)).map(LocalInputFile::new)
          .orElseThrow(() -> ParquetSets.noParquetFiles(what, uri, null));
    } catch (IOException e) {
      throw ParquetErrors.readFailure(what, uri, e);
    }
  }

  /** The file itself, or the first data file of a folder in path order (as Spark lists them, without _ and . files). */
  static InputFile firstDataFile(String uri, Configuration conf, String what) {
    try {
      Path root = new Path(uri);
      FileSystem fs = root.getFileSystem(conf);
      FileStatus top = fs.getFileStatus(root);
      if (top.isFile()) {
        return HadoopInputFile.fromPath(top.getPath(), conf);
      }
      Optional<Path> first = Optional.empty();
      String prefix = fs.makeQualified(root).toString();
      RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
      while (it.hasNext()) {
        LocatedFileStatus f = it.next();
        if (f.getLen() > 0 && dataFile(prefix, f.getPath().toString())
            && (first.isEmpty() || f.getPath().toString().compareTo(first.get().toString()) < 0)) {
          first = Optional.of(f.getPath());
        }
      }
      return HadoopInputFile.fromPath(first.orElseThrow(() -> ParquetSets.noParquetFiles(what, uri, null)), conf);
    } catch (FileNotFoundException e) {
      throw new TrtfleetException("cannot read " + what + " " + uri + ": it does not exist; check the URI", e);
    } catch (IOException | IllegalArgumentException e) {  // unreachable store, unknown scheme, bad credentials
      throw ParquetErrors.readFailure(what, uri, e);
    }
  }

  /** Not a _SUCCESS, .crc or other hidden file, nor inside a hidden folder, below {@code root}. */
  private static boolean dataFile(String root, String file) {
    String rel = file.substring(Math.min(root.length(), file.length()));
    return java.util.Arrays.stream(rel.split("/")).noneMatch(n -> n.startsWith("_") || n.startsWith("."));
  }

  /** Hadoop settings as a Spark session would have them: spark.hadoop.* from spark-submit's properties. */
  static Configuration hadoopConfiguration() {
    Configuration conf = new Configuration();
    for (Map.Entry<Object, Object> e : System.getProperties().entrySet()) {
      String key = String.valueOf(e.getKey());
      if (key.startsWith("spark.hadoop.")) {
        conf.set(key.substring("spark.hadoop.".length()), String.valueOf(e.getValue()));
      }
    }
    return conf;
  }
}
