package io.trtfleet.cli;

import io.trtfleet.Locations;
import io.trtfleet.Messages;
import io.trtfleet.TrtfleetException;
import io.trtfleet.calibrationdata.samples.FashionMnist;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.graph.Signature;
import io.trtfleet.verify.Verifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;

/**
 * Samples for verify, in batches of signature inputs: a local Parquet calibration set (one row per
 * sample, one {@code array<float>} column per input named like the input key, flattened without the
 * batch dim, optional int {@code label}), {@code fashion-mnist-idx:DIR}, or {@code random[:SEED]}.
 */
final class SampleSource {

  private SampleSource() {}

  static List<Verifier.Batch> load(String spec, Signature sig, int samples, int batchSize) {
    if (samples < 1) {
      throw new TrtfleetException("--samples must be at least 1, got " + samples);
    }
    if (batchSize < 1) {
      throw new TrtfleetException("--batch-size must be at least 1, got " + batchSize);
    }
    List<float[]> rows = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    Map<String, long[]> shapes = sampleShapes(sig);
    if (spec.startsWith("fashion-mnist-idx:")) {
      readFashionMnist(Path.of(spec.substring("fashion-mnist-idx:".length())), sig, samples, rows, labels);
    } else if (spec.equals("random") || spec.startsWith("random:")) {
      Random r = new Random(seed(spec));
      int width = shapes.values().stream().mapToInt(s -> (int) HostTensor.elementCount(s)).sum();
      for (int i = 0; i < samples; i++) {
        float[] v = new float[width];
        for (int j = 0; j < width; j++) {
          v[j] = r.nextFloat();
        }
        rows.add(v);
      }
    } else {
      Path local;
      try {
        local = Locations.localPath(spec);
      } catch (TrtfleetException e) {
        throw new TrtfleetException("--data " + e.getMessage() + ": this command reads local Parquet files; copy the"
            + " set to a local path (trtfleet calibration-data validate and calibrate read any Hadoop URI)", e);
      }
      readParquet(local, sig, shapes, samples, rows, labels);
    }
    if (rows.isEmpty()) {
      throw new TrtfleetException("--data " + spec + " holds no samples");
    }
    return batches(sig, shapes, rows, labels.size() == rows.size() ? labels : null, batchSize);
  }

  private static long seed(String spec) {
    if (!spec.contains(":")) {
      return 0;
    }
    try {
      return Long.parseLong(spec.substring("random:".length()));
    } catch (NumberFormatException e) {
      throw new TrtfleetException("--data " + spec + ": the seed after random: must be an integer, e.g. random:7");
    }
  }

  /** Per-sample shape (without batch) of each input; every other dim must be static. */
  private static Map<String, long[]> sampleShapes(Signature sig) {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (Signature.Argument a : sig.inputs()) {
      long[] s = a.tensor().shape();
      if (s == null || s.length == 0) {
        throw new TrtfleetException("input '" + a.key() + "' has no batch dimension: verify feeds batches");
      }
      long[] sample = java.util.Arrays.copyOfRange(s, 1, s.length);
      for (long d : sample) {
        if (d < 0) {
          throw new TrtfleetException("input '" + a.key() + "' has shape " + a.tensor().shapeString()
              + ": verify needs static dims after the batch");
        }
      }
      shapes.put(a.key(), sample);
    }
    return shapes;
  }

  private static void readFashionMnist(Path dir, Signature sig, int samples, List<float[]> rows, List<Integer> labels) {
    try {
      FashionMnist data = FashionMnist.load(dir, FashionMnist.Split.TEST);
      int n = Math.min(samples, data.size());
      for (int i = 0; i < n; i++) {
        float[] v = new float[FashionMnist.PIXELS];
        data.copyImage(i, v, 0);
        rows.add(v);
        labels.add(data.label(i));
      }
    } catch (java.nio.file.NoSuchFileException e) {
      throw new TrtfleetException("cannot read Fashion-MNIST from " + dir + ": " + e.getFile() + " is missing; the"
          + " folder needs the IDX files t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (Debian:"
          + " dataset-fashion-mnist, /usr/share/datasets/fashion-mnist)", e);
    } catch (IOException e) {
      throw new TrtfleetException("cannot read Fashion-MNIST from " + dir + ": " + e.getMessage(), e);
    }
    if (sig.inputs().size() != 1) {
      throw new TrtfleetException("fashion-mnist-idx feeds one input, the model has " + sig.inputs().size());
    }
  }

  private static void readParquet(Path path, Signature sig, Map<String, long[]> shapes, int samples,
      List<float[]> rows, List<Integer> labels) {
    if (!Files.exists(path)) {
      throw new TrtfleetException("--data " + path + " does not exist: give a Parquet file or a folder of them");
    }
    List<Path> files;
    try (Stream<Path> s = Files.isDirectory(path) ? Files.list(path) : Stream.of(path)) {
      files = s.filter(p -> p.toString().endsWith(".parquet") || !Files.isDirectory(path)).sorted().toList();
    } catch (IOException e) {
      throw new TrtfleetException("cannot list Parquet data " + path + ": " + e.getMessage(), e);
    }
    if (files.isEmpty()) {
      throw new TrtfleetException("--data " + path + " has no .parquet files");
    }
    for (Path file : files) {
      try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file))
          .build()) {
        for (GenericRecord r = reader.read(); r != null && rows.size() < samples; r = reader.read()) {
          rows.add(row(r, shapes, file));
          Object label = r.getSchema().getField("label") == null ? null : r.get("label");
          if (label instanceof Number n) {
            labels.add(n.intValue());
          }
        }
      } catch (IOException | RuntimeException e) { // parquet-mr reports a file that is no Parquet as a RuntimeException
        if (e instanceof TrtfleetException t) {
          throw t;
        }
        throw new TrtfleetException("cannot read " + file + " as Parquet (" + Messages.rootFirstLine(e)
            + "): check the file, and convert other formats with trtfleet calibration-data import", e);
      }
    }
  }

  private static float[] row(GenericRecord r, Map<String, long[]> shapes, Path file) {
    int width = shapes.values().stream().mapToInt(s -> (int) HostTensor.elementCount(s)).sum();
    float[] v = new float[width];
    int offset = 0;
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      if (r.getSchema().getField(e.getKey()) == null) {
        throw new TrtfleetException(file + " has no column '" + e.getKey() + "' for signature input '" + e.getKey()
            + "': name the array<float> column like the input");
      }
      Object col = r.get(e.getKey());
      if (!(col instanceof List<?> list)) {
        throw new TrtfleetException(file + " column '" + e.getKey() + "' is not an array<float>");
      }
      int n = (int) HostTensor.elementCount(e.getValue());
      if (list.size() != n) {
        throw new TrtfleetException(file + " column '" + e.getKey() + "' has " + list.size() + " values per row,"
            + " input needs " + n);
      }
      for (Object item : list) {
        // 3-level lists written by Spark may come back as {element: x} records.
        Object x = item instanceof GenericRecord g ? g.get(0) : item;
        float f = ((Number) x).floatValue();
        if (!Float.isFinite(f)) {
          throw new TrtfleetException(file + " column '" + e.getKey() + "' holds " + f + ": clean the data (trtfleet"
              + " calibration-data validate lists the bad rows)");
        }
        v[offset++] = f;
      }
    }
    return v;
  }

  private static List<Verifier.Batch> batches(Signature sig, Map<String, long[]> shapes, List<float[]> rows,
      List<Integer> labels, int batchSize) {
    List<Verifier.Batch> out = new ArrayList<>();
    for (int from = 0; from < rows.size(); from += batchSize) {
      int n = Math.min(batchSize, rows.size() - from);
      Map<String, HostTensor> inputs = new LinkedHashMap<>();
      int offset = 0;
      for (Map.Entry<String, long[]> e : shapes.entrySet()) {
        int size = (int) HostTensor.elementCount(e.getValue());
        float[] v = new float[n * size];
        for (int i = 0; i < n; i++) {
          System.arraycopy(rows.get(from + i), offset, v, i * size, size);
        }
        long[] shape = new long[e.getValue().length + 1];
        shape[0] = n;
        System.arraycopy(e.getValue(), 0, shape, 1, e.getValue().length);
        inputs.put(e.getKey(), HostTensor.ofFloats(shape, v));
        offset += size;
      }
      int[] l = labels == null ? null : labels.subList(from, from + n).stream().mapToInt(Integer::intValue).toArray();
      out.add(new Verifier.Batch(inputs, l));
    }
    return out;
  }
}
