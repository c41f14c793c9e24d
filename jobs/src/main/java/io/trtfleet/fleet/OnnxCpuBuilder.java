package io.trtfleet.fleet;

import io.trtfleet.TrtfleetException;
import io.trtfleet.convert.ConversionOptions;
import io.trtfleet.convert.ConversionResult;
import io.trtfleet.convert.OnnxSegmentConverter;
import io.trtfleet.Precision;
import io.trtfleet.convert.WholeGraphSegment;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.onnx.OnnxRunner;
import io.trtfleet.segment.SegmentedGraph;
import io.trtfleet.segment.Segmenter;
import io.trtfleet.segment.SegmenterOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The builder for hosts without TensorRT: converts the whole model to strongly typed ONNX at the target's
 * precision and measures it with ONNX Runtime on the CPU. It proves the pipeline and the accuracy of the
 * precision policy, not TensorRT: results say "ONNX Runtime on CPU, no TensorRT build".
 */
public final class OnnxCpuBuilder implements TargetBuilder {

  private static final long serialVersionUID = 1L;
  public static final String BACKEND = "ONNX Runtime on CPU, no TensorRT build";

  @Override
  public TargetResult build(Target target, ModelInputs inputs, GpuAssignment gpu, Path out) {
    long t0 = System.nanoTime();
    FrozenGraph graph = inputs.graph().graph();
    Converted c = convert(target, inputs, graph);
    c.writeOnnx(out);
    double buildSeconds = (System.nanoTime() - t0) / 1e9;
    Measurement m;
    try (OnnxRunner runner = new OnnxRunner(c.onnx(), 0)) {
      m = Measurement.of(runner::run, Measurement.classifierOutput(graph).tensor().name(), inputs.validation());
    }
    return new TargetResult(target.model().name(), target.pool().name(), target.pool().tensorRtKey(),
        target.pool().deviceKey(), target.precision().name(), target.key().contentDigest(), TargetResult.Status.BUILT,
        BACKEND, 1, c.opsConvertedPercent(), inputs.referenceTop1(), m.top1(), m.samplesPerSecond(), buildSeconds,
        gpu.worker(), "");
  }

  /** Whole-model ONNX at the target's precision, and the segmenter's share of converted ops. */
  record Converted(byte[] onnx, double opsConvertedPercent) {

    /** Keeps the ONNX beside the build's other outputs (published under report/, for audits). */
    void writeOnnx(Path out) {
      try {
        Files.write(out.resolve("model.onnx"), onnx);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + out.resolve("model.onnx"), e);
      }
    }
  }

  static Converted convert(Target target, ModelInputs inputs, FrozenGraph graph) {
    SegmentedGraph segmented = new Segmenter(SegmenterOptions.defaults()).segment(graph);
    double pct = 100.0 * segmented.convertedNodes() / Math.max(1, segmented.convertibleNodes());
    Precision p = target.precision();
    ConversionOptions options = p.quantized() ? ConversionOptions.int8(p, inputs.calibrationTable())
        : ConversionOptions.of(p);
    ConversionResult whole = OnnxSegmentConverter.convert(graph, WholeGraphSegment.of(graph), options);
    if (!whole.isConverted()) {
      throw new TrtfleetException(target.label() + ": the model does not convert to ONNX as a whole ("
          + whole.fallbackReason() + "); fleet builds need whole-model conversion for now");
    }
    return new Converted(whole.converted().onnx(), pct);
  }
}
