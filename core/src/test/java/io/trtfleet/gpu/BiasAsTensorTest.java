package io.trtfleet.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.trtfleet.convert.ConversionOptions;
import io.trtfleet.convert.OnnxSegmentConverter;
import io.trtfleet.convert.WholeGraphSegment;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.onnx.OnnxRunner;
import io.trtfleet.onnx.proto.Onnx.ModelProto;
import io.trtfleet.testing.Fixtures;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The GPU experiment's rewrite changes how biases reach the convolutions, not what the model computes. */
class BiasAsTensorTest {

  @Test
  void convolutionsReadTheirBiasThroughIdentityAndComputeTheSame() throws Exception {
    FrozenGraph g = SavedModelImporter.importModel(
        ImportOptions.of(Fixtures.repo("calibration-data/samples/fashion-mnist-cnn/saved_model"))).graph();
    byte[] onnx = OnnxSegmentConverter.convert(g, WholeGraphSegment.of(g), ConversionOptions.fp32()).orElseThrow().onnx();
    byte[] rewritten = BiasAsTensor.apply(onnx);

    assertEquals(count(onnx, "Identity") + count(onnx, "Conv"), count(rewritten, "Identity"),
        "one more Identity per convolution bias");

    String input = g.signature().inputs().get(0).tensor().name();
    float[] x = new float[4 * 28 * 28];
    Random rnd = new Random(1);
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextFloat();
    }
    Map<String, HostTensor> feed = Map.of(input, HostTensor.ofFloats(new long[] {4, 28, 28, 1}, x));
    try (OnnxRunner a = new OnnxRunner(onnx); OnnxRunner b = new OnnxRunner(rewritten)) {
      assertArrayEquals(a.run(feed).get("probabilities:0").floats(), b.run(feed).get("probabilities:0").floats());
    }
  }

  private static long count(byte[] model, String opType) throws Exception {
    return ModelProto.parseFrom(model).getGraph().getNodeList().stream().filter(n -> n.getOpType().equals(opType)).count();
  }
}
