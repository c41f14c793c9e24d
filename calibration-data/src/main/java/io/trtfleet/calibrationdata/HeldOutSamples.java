package io.trtfleet.calibrationdata;

import io.trtfleet.TrtfleetException;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.graph.Signature;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.verify.RandomInputs;
import io.trtfleet.verify.Verifier;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.tensorflow.proto.DataType;

/**
 * Held-out samples for validation and verification, in batches of signature inputs, from one spec that
 * every command and the fleet share:
 *
 * <ul>
 *   <li>a Parquet file or folder in the calibration-set convention, at any Hadoop URI or local path;
 *   <li>{@code idx:IMAGES[,LABELS]}, {@code npy:FILE[,LABELS]}, {@code csv:FILE}: the same files
 *       {@code trtfleet calibration-data import} reads ({@link SampleSource}), for one-input models, values
 *       scaled as the import's default ({@link Scaling#AUTO}: bytes to [0, 1]);
 *   <li>{@code fashion-mnist-idx:DIR}: the Fashion-MNIST test set in DIR;
 *   <li>{@code random[:SEED]}: valid values for every input, no labels ({@link RandomInputs}: ids within
 *       an embedding's range, serialized tf.Examples for parsers, ...).
 * </ul>
 */
public final class HeldOutSamples {

  private HeldOutSamples() {}

  public static List<Verifier.Batch> load(String spec, FrozenGraph graph, int samples, int batchSize,
      Configuration conf) {
    Signature signature = graph.signature();
    if (samples < 1) {
      throw new TrtfleetException("--samples must be at least 1, got " + samples);
    }
    if (batchSize < 1) {
      throw new TrtfleetException("--batch-size must be at least 1, got " + batchSize);
    }
    if (spec.equals("random") || spec.startsWith("random:")) {
      return RandomInputs.of(graph, seed(spec)).batches(samples, batchSize);
    }
    SampleRows rows;
    if (spec.startsWith("fashion-mnist-idx:")) {
      Path dir = Path.of(spec.substring("fashion-mnist-idx:".length()));
      rows = fromSource(IdxSamples.open(dir.resolve("t10k-images-idx3-ubyte.gz"),
          dir.resolve("t10k-labels-idx1-ubyte.gz"), true, Scaling.AUTO), signature, samples);
    } else if (spec.matches("(idx|npy|csv):.*")) {
      String[] files = spec.substring(4).split(",", 2);
      Path data = Path.of(files[0]);
      Path labels = files.length > 1 ? Path.of(files[1]) : null;
      SampleSource source = switch (spec.substring(0, 3)) {
        case "idx" -> IdxSamples.open(data, labels, false, Scaling.AUTO);
        case "npy" -> NpySamples.open(data, labels, Scaling.AUTO);
        default -> CsvSamples.open(data, null, null, Scaling.AUTO);
      };
      rows = fromSource(source, signature, samples);
    } else {
      rows = new ParquetSamples(spec, signature, conf).read(samples);
    }
    return rows.batches(batchSize);
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

  private static SampleRows fromSource(SampleSource source, Signature signature, int samples) {
    if (signature.inputs().size() != 1) {
      throw new TrtfleetException(source.description() + " feeds one input, the model has "
          + signature.inputs().size() + ": give a Parquet set with one column per input");
    }
    Signature.Argument in = signature.inputs().get(0);
    long[] shape = floatSampleShape(in);
    if (HostTensor.elementCount(shape) != source.sampleSize()) {
      throw new TrtfleetException(source.description() + " has " + source.sampleSize() + " values per sample, input '"
          + in.key() + "' takes " + TensorSpec.shapeString(shape));
    }
    SampleRows rows = new SampleRows();
    float[] v = new float[source.sampleSize()];
    for (int i = 0; i < Math.min(samples, source.size()); i++) {
      source.copySample(i, v);
      rows.add(Map.of(in.key(), HostTensor.ofFloats(batchOfOne(shape), v)), source.hasLabels() ? source.label(i) : null);
    }
    return rows;
  }

  /** The per-sample shape of a float input; every dimension after the batch must be known. */
  private static long[] floatSampleShape(Signature.Argument a) {
    TensorSpec t = a.tensor();
    if (t.dtype() != DataType.DT_FLOAT) {
      throw new TrtfleetException("input '" + a.key() + "' is " + TensorSpec.dtypeName(t.dtype()) + ": this data"
          + " source feeds float inputs; give a Parquet set in the calibration-set convention");
    }
    if (!t.hasRank() || t.shape().length == 0) {
      throw new TrtfleetException("input '" + a.key() + "' has shape " + t.shapeString() + ": held-out data feeds"
          + " batches of samples; give a Parquet set whose column records the per-sample shape");
    }
    long[] sample = Arrays.copyOfRange(t.shape(), 1, t.shape().length);
    if (Arrays.stream(sample).anyMatch(d -> d < 0)) {
      throw new TrtfleetException("input '" + a.key() + "' has shape " + t.shapeString() + ": give a Parquet set"
          + " whose column records the per-sample shape");
    }
    return sample;
  }

  private static long[] batchOfOne(long[] sample) {
    long[] s = new long[sample.length + 1];
    s[0] = 1;
    System.arraycopy(sample, 0, s, 1, sample.length);
    return s;
  }
}
