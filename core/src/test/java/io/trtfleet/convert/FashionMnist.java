package io.trtfleet.convert;

import io.trtfleet.graph.HostTensor;
import io.trtfleet.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;

/**
 * Real Fashion-MNIST images from the repository's samples (calibration-data/samples/fashion-mnist), as
 * [n,28,28,1] floats in [0,1]: 2,000 test-split images the sample CNN never saw (validation.parquet) and
 * 2,000 training-split images (calibration.parquet), 200 per class each.
 */
final class FashionMnist {

  static final int PIXELS = 28 * 28;
  private static float[][] validation;
  private static float[][] calibration;

  private FashionMnist() {}

  /** Test-split images {@code from} .. {@code from+count} of validation.parquet. */
  static synchronized HostTensor testImages(int from, int count) {
    if (validation == null) {
      validation = read(Fixtures.fashionMnistSamples("validation.parquet"));
    }
    return batch(validation, from, count);
  }

  /** Training-split images {@code from} .. {@code from+count} of calibration.parquet. */
  static synchronized HostTensor trainImages(int from, int count) {
    if (calibration == null) {
      calibration = read(Fixtures.fashionMnistSamples("calibration.parquet"));
    }
    return batch(calibration, from, count);
  }

  private static HostTensor batch(float[][] images, int from, int count) {
    if (from + count > images.length) {
      throw new IllegalArgumentException("only " + images.length + " images");
    }
    float[] v = new float[count * PIXELS];
    for (int i = 0; i < count; i++) {
      System.arraycopy(images[from + i], 0, v, i * PIXELS, PIXELS);
    }
    return HostTensor.ofFloats(new long[] {count, 28, 28, 1}, v);
  }

  private static float[][] read(Path file) {
    List<float[]> rows = new ArrayList<>();
    try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file)).build()) {
      for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
        List<?> pixels = (List<?>) r.get("images");
        float[] v = new float[PIXELS];
        for (int i = 0; i < PIXELS; i++) {
          Object x = pixels.get(i);
          v[i] = ((Number) (x instanceof GenericRecord g ? g.get(0) : x)).floatValue();
        }
        rows.add(v);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return rows.toArray(float[][]::new);
  }
}
