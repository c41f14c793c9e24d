package io.trtfleet.cli;

import io.trtfleet.calibrationdata.HeldOutSamples;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.verify.Verifier;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Option;

/** --data, --samples and --batch-size: the held-out samples build and verify compare against TensorFlow. */
public final class HeldOutDataOptions {

  @Option(names = "--data", paramLabel = "DATA", description = "held-out samples: a Parquet file or folder in the"
      + " calibration-set convention (any Hadoop URI), idx:IMAGES[,LABELS], npy:FILE[,LABELS], csv:FILE,"
      + " fashion-mnist-idx:DIR or random[:SEED]")
  String data;

  @Option(names = "--samples", defaultValue = "1000", description = "samples to compare (default: ${DEFAULT-VALUE})")
  int samples;

  @Option(names = "--batch-size", defaultValue = "100", description = "batch size (default: ${DEFAULT-VALUE})")
  int batchSize;

  /** The batches, or none when --data was not given. */
  List<Verifier.Batch> load(FrozenGraph graph) {
    return data == null ? List.of() : HeldOutSamples.load(data, graph, samples, batchSize, new Configuration());
  }
}
