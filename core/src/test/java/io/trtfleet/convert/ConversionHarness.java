package io.trtfleet.convert;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.onnx.OnnxChecker;
import io.trtfleet.onnx.OnnxRunner;
import io.trtfleet.reference.ReferenceRunner;
import io.trtfleet.verify.OutputComparison;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Builds one-input TensorFlow graphs with TF Java, exports and re-imports them as SavedModels, converts
 * them and runs ONNX Runtime against TensorFlow on the same random input.
 */
final class ConversionHarness {

  interface Body {
    /** Output key to tensor, given the ops and the input placeholder "x". */
    Map<String, Operand<TFloat32>> build(Ops tf, Placeholder<TFloat32> x);
  }

  private ConversionHarness() {}

  static FrozenGraph graph(Path dir, long[] inputShape, Body body) {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(inputShape)));
      Map<String, Operand<TFloat32>> outputs = body.build(tf, x);
      Signature.Builder sig = Signature.builder().key("serving_default").input("x", x);
      outputs.forEach(sig::output);
      Files.createDirectories(dir);
      try (Session session = new Session(graph)) {
        SavedModelBundle.exporter(dir.toString()).withTags("serve").withSession(session)
            .withSignature(sig.build()).export();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return SavedModelImporter.importModel(ImportOptions.of(dir)).graph();
  }

  static ConvertedSegment convert(FrozenGraph g, ConversionOptions options) {
    ConversionResult r = OnnxSegmentConverter.convert(g, WholeGraphSegment.of(g), options);
    assertTrue(r.isConverted(), () -> "fell back: " + r.fallbackReason());
    OnnxChecker.check(r.converted().onnx());
    return r.converted();
  }

  /** Random inputs for every segment input, with -1 dims replaced by {@code batch}. */
  static Map<String, HostTensor> randomInputs(ConvertedSegment c, int batch, long seed) {
    Random random = new Random(seed);
    Map<String, HostTensor> feeds = new LinkedHashMap<>();
    for (TensorSpec in : c.inputs()) {
      long[] shape = in.shape();
      for (int i = 0; i < shape.length; i++) {
        if (shape[i] < 0) {
          shape[i] = batch;
        }
      }
      float[] v = new float[(int) HostTensor.elementCount(shape)];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) random.nextGaussian();
      }
      feeds.put(in.name(), HostTensor.ofFloats(shape, v));
    }
    return feeds;
  }

  /** Per-output comparison of ONNX Runtime with TensorFlow on the given inputs (keyed by tensor name). */
  static Map<String, OutputComparison> compare(FrozenGraph g, ConvertedSegment c, Map<String, HostTensor> feeds) {
    List<String> outputs = c.outputs().stream().map(TensorSpec::name).toList();
    Map<String, HostTensor> expected;
    try (ReferenceRunner tf = new ReferenceRunner(g, 1)) {
      expected = tf.run(feeds, outputs);
    }
    Map<String, HostTensor> actual;
    try (OnnxRunner ort = new OnnxRunner(c.onnx(), 1)) {
      actual = ort.run(feeds);
    }
    Map<String, OutputComparison> result = new LinkedHashMap<>();
    for (String out : outputs) {
      result.put(out, OutputComparison.of(out, expected.get(out), actual.get(out)));
    }
    return result;
  }

  static double worstRelativeError(Map<String, OutputComparison> comparisons) {
    return comparisons.values().stream().mapToDouble(OutputComparison::relativeRmsError).max().orElse(0);
  }
}
