package io.trtfleet.fleet;

import io.trtfleet.TrtfleetException;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.graph.Signature;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Top-1 accuracy and throughput of a built artifact on the validation batches. */
public record Measurement(double top1, double samplesPerSecond) {

  /** The signature output accuracy is measured on: the first [batch, classes] one, by graph tensor name. */
  public static Signature.Argument classifierOutput(FrozenGraph graph) {
    return graph.signature().outputs().stream()
        .filter(o -> o.tensor().hasRank() && o.tensor().shape().length == 2 && o.tensor().shape()[1] > 1)
        .findFirst()
        .orElseThrow(() -> new TrtfleetException("signature '" + graph.signature().key() + "' has no [batch, classes]"
            + " output: fleet accuracy gates measure classifiers' top-1"));
  }

  /**
   * Runs {@code infer} (inputs and outputs by tensor name) over every batch; the first batch runs twice so
   * the timing leaves out one-time setup.
   */
  public static Measurement of(Function<Map<String, HostTensor>, Map<String, HostTensor>> infer, String output,
      List<ValidationBatch> batches) {
    infer.apply(batches.get(0).byTensor());
    long hits = 0;
    long rows = 0;
    long t0 = System.nanoTime();
    for (ValidationBatch b : batches) {
      HostTensor out = infer.apply(b.byTensor()).get(output);
      if (out == null) {
        throw new IllegalStateException("the built model has no output '" + output + "'");
      }
      hits += ValidationBatch.hits(out, b.labels());
      rows += b.rows();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new Measurement((double) hits / rows, rows / Math.max(seconds, 1e-9));
  }
}
