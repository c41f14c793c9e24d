package io.trtfleet.spark;

import io.trtfleet.TrtfleetException;
import io.trtfleet.calibrationdata.CalibrationSetWriter;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.execution.datasources.parquet.ParquetToSparkSchemaConverter;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * The schema Spark would read from a Parquet set, from one file's footer and without starting Spark:
 * the footer's Spark schema (with field metadata such as {@code shape}) when a Spark-aware writer left
 * one, else the Parquet schema converted as Spark converts it. Takes well under a second, even on
 * object storage, since only the footer is read.
 */
final class ParquetFooterSchema {

  private ParquetFooterSchema() {}

  static StructType read(String uri, Configuration conf, String what) {
    Path file = firstDataFile(uri, conf, what);
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf))) {
      FileMetaData meta = reader.getFooter().getFileMetaData();
      String json = meta.getKeyValueMetaData().get(CalibrationSetWriter.SPARK_SCHEMA_KEY);
      if (json != null) {
        return (StructType) DataType.fromJson(json);
      }
      return new ParquetToSparkSchemaConverter(new SQLConf()).convert(meta.getSchema());
    } catch (IOException | RuntimeException e) { // parquet-mr reports a file that is no Parquet as a RuntimeException
      throw ParquetSets.unreadable(what, uri, e);
    }
  }

  /** The file itself, or the first data file of a folder in path order (as Spark lists them, without _ and . files). */
  private static Path firstDataFile(String uri, Configuration conf, String what) {
    try {
      Path root = new Path(uri);
      FileSystem fs = root.getFileSystem(conf);
      FileStatus top = fs.getFileStatus(root);
      if (top.isFile()) {
        return top.getPath();
      }
      Optional<Path> first = Optional.empty();
      RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
      while (it.hasNext()) {
        LocatedFileStatus f = it.next();
        if (f.getLen() > 0 && dataFile(root, f.getPath())
            && (first.isEmpty() || f.getPath().toString().compareTo(first.get().toString()) < 0)) {
          first = Optional.of(f.getPath());
        }
      }
      return first.orElseThrow(() -> ParquetSets.noParquetFiles(what, uri, null));
    } catch (FileNotFoundException e) {
      throw new TrtfleetException("cannot read " + what + " " + uri + ": it does not exist; check the URI", e);
    } catch (IOException | IllegalArgumentException e) {  // unreachable store, unknown scheme, bad credentials
      throw ParquetSets.unreadable(what, uri, e);
    }
  }

  private static boolean dataFile(Path root, Path file) {
    for (Path p = file; p != null && !p.equals(root) && p.getName().length() > 0; p = p.getParent()) {
      if (p.getName().startsWith("_") || p.getName().startsWith(".")) {
        return false;
      }
    }
    return true;
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
