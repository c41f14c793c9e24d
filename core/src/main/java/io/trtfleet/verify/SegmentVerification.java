package io.trtfleet.verify;

import io.trtfleet.convert.ConversionOptions;
import io.trtfleet.convert.ConversionResult;
import io.trtfleet.convert.OnnxSegmentConverter;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.ModelRunner;
import io.trtfleet.onnx.OnnxRunner;
import io.trtfleet.segment.Segment;
import io.trtfleet.segment.SegmentedGraph;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Verify per segment, for any model: every TensorRT segment of a segmented graph is converted to ONNX
 * (a segment that does not convert stays in TensorFlow and is reported with its reason), and each
 * converted segment runs in ONNX Runtime on the tensors TensorFlow fed it during a native run of the whole
 * model, batch by batch.
 */
public final class SegmentVerification {

  private SegmentVerification() {}

  /** Each segment's conversion, in segment order. */
  public static List<ConversionResult> convert(SegmentedGraph segmented, ConversionOptions options) {
    return segmented.segments().stream()
        .map(s -> OnnxSegmentConverter.convert(segmented.graph(), s, options)).toList();
  }

  /**
   * Runs the batches through TensorFlow and every converted segment. With no converted segment, the
   * model still runs natively on every batch (so the data and the model are checked); nothing is compared.
   */
  public static Verifier.Result verify(FrozenGraph graph, List<ConversionResult> conversions,
      List<Verifier.Batch> batches, int threads) {
    Map<Segment, ModelRunner> runners = new LinkedHashMap<>();
    try {
      for (ConversionResult r : conversions) {
        if (r.isConverted()) {
          runners.put(r.segment(), new OnnxRunner(r.converted().onnx(), threads));
        }
      }
    } catch (RuntimeException e) {
      runners.values().forEach(ModelRunner::close);
      throw e;
    }
    try (Verifier verifier = new Verifier(graph, runners, threads)) {
      batches.forEach(verifier::add);
      return verifier.result();
    }
  }
}
