package io.trtfleet.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.graph.Node;
import io.trtfleet.reference.ReferenceRunner;
import io.trtfleet.segment.Segmenter;
import io.trtfleet.segment.SegmenterOptions;
import io.trtfleet.segment.ShapeMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Constant folding at import, as Grappler does before TF-TRT: weights computed from constants become
 * Consts, shape arithmetic on the known dimensions of a partly known shape too, and a Reshape to a
 * computed shape reshapes to the static result; what depends on the batch stays computed. The folded graph
 * computes what the SavedModel computes.
 */
class ConstantFolderTest {

  @TempDir Path tmp;

  private record Built(FrozenGraph graph, Path dir) {}

  private Built build(String name, long[] input, Function<Ops, Function<Placeholder<TFloat32>, Operand<TFloat32>>> body)
      throws Exception {
    Path dir = tmp.resolve(name);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(input)));
      Operand<TFloat32> y = tf.withName("y").identity(body.apply(tf).apply(x));
      Files.createDirectories(dir);
      try (Session s = new Session(g)) {
        SavedModelBundle.exporter(dir.toString()).withTags("serve").withSession(s)
            .withSignature(Signature.builder().key("serving_default").input("x", x).output("y", y).build()).export();
      }
    }
    return new Built(SavedModelImporter.importModel(ImportOptions.of(dir)).graph(), dir);
  }

  private static Operand<TFloat32> weights(Ops tf, long... shape) {
    float[] v = new float[(int) Shape.of(shape).size()];
    Random r = new Random(5);
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return tf.constant(Shape.of(shape), DataBuffers.of(v));
  }

  /** The folded graph and the SavedModel, run on the same input, agree exactly. */
  private static void assertSameAsSavedModel(Built b, long... shape) {
    float[] x = new float[(int) HostTensor.elementCount(shape)];
    Random r = new Random(9);
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat();
    }
    float[] expected;
    try (SavedModelBundle bundle = SavedModelBundle.load(b.dir().toString(), "serve");
        TFloat32 in = TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(x));
        Result out = bundle.session().runner().feed("x", in).fetch("y").run()) {
      expected = ReferenceRunner.toHost(out.get(0)).floats();
    }
    try (ReferenceRunner runner = new ReferenceRunner(b.graph(), 1)) {
      float[] actual = runner.runSignature(Map.of("x", HostTensor.ofFloats(shape, x))).get("y").floats();
      assertArrayEquals(expected, actual, 1e-6f);
    }
  }

  @Test
  void conv1dKernelExpandDimsBecomesAConstSoTheConvolutionConverts() throws Exception {
    Built b = build("conv1d", new long[] {-1, 10, 3}, tf -> x -> {
      Operand<TFloat32> kernel = tf.expandDims(weights(tf, 3, 3, 4), tf.constant(0));
      Operand<TFloat32> conv = tf.nn.conv2d(tf.expandDims(x, tf.constant(1)), kernel, List.of(1L, 1L, 1L, 1L), "VALID");
      return tf.squeeze(conv, org.tensorflow.op.core.Squeeze.axis(List.of(1L)));
    });
    Node conv = b.graph().nodes().stream().filter(n -> n.op().equals("Conv2D")).findFirst().orElseThrow();
    assertEquals("Const", b.graph().node(conv.dataInputs().get(1).node()).op());
    assertEquals(1, b.graph().opHistogram().get("ExpandDims"), "the input's ExpandDims stays: it is data");
    var s = new Segmenter(SegmenterOptions.builder().shapes(ShapeMode.STATIC).build()).segment(b.graph());
    assertTrue(s.ownerOf(conv.name()).isPresent(), s.notConverted()::toString);
    assertSameAsSavedModel(b, 2, 10, 3);
  }

  @Test
  void knownDimensionsOfAPartlyKnownShapeFoldTheBatchDoesNot() throws Exception {
    Built b = build("resize", new long[] {-1, 8, 6, 3}, tf -> x -> {
      // Keras Resizing: the target size from the known height and width; a batch-dependent product stays.
      Operand<TInt32> shape = tf.shape(x);
      Operand<TInt32> hw = tf.stridedSlice(shape, tf.constant(new int[] {1}), tf.constant(new int[] {3}),
          tf.constant(new int[] {1}));
      Operand<TInt32> size = tf.math.mul(hw, tf.constant(2));
      Operand<TFloat32> resized = tf.image.resizeBilinear(x, size);
      Operand<TInt32> batch = tf.stridedSlice(shape, tf.constant(new int[] {0}), tf.constant(new int[] {1}),
          tf.constant(new int[] {1}), org.tensorflow.op.core.StridedSlice.shrinkAxisMask(1L));
      Operand<TFloat32> scale = tf.dtypes.cast(tf.math.mul(batch, tf.constant(3)), TFloat32.class);
      return tf.math.mul(resized, scale);
    });
    Node resize = b.graph().nodes().stream().filter(n -> n.op().equals("ResizeBilinear")).findFirst().orElseThrow();
    assertArrayEquals(new long[] {16, 12}, b.graph().constInts(resize.dataInputs().get(1)).orElseThrow());
    assertEquals(1, b.graph().opHistogram().get("Shape"), "the batch's Shape stays");
    assertSameAsSavedModel(b, 3, 8, 6, 3);
  }

  @Test
  void reshapeToAComputedShapeReshapesToItsStaticResult() throws Exception {
    Built b = build("flatten", new long[] {-1, 4, 3}, tf -> x -> {
      Operand<TInt32> batch = tf.stridedSlice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1}),
          tf.constant(new int[] {1}), org.tensorflow.op.core.StridedSlice.shrinkAxisMask(1L));
      return tf.reshape(x, tf.stack(List.of(batch, tf.constant(-1))));
    });
    Node reshape = b.graph().nodes().stream().filter(n -> n.op().equals("Reshape")).findFirst().orElseThrow();
    assertArrayEquals(new long[] {-1, 12}, b.graph().constInts(reshape.dataInputs().get(1)).orElseThrow());
    assertEquals(null, b.graph().opHistogram().get("Shape"), "nothing reads the shape any more");
    assertSameAsSavedModel(b, 2, 4, 3);
  }
}
