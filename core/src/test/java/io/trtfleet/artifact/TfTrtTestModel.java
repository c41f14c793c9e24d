package io.trtfleet.artifact;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * TF-TRT's backward-compatibility model (python/compiler/tensorrt/test/testdata/gen_tftrt_model.py)
 * built with TF Java: inputs inp1, inp2 [None,1,1]; variable v = [[[1.0]]];
 * add = inp1 + v; mul = inp1 * add; add = mul + add; add = add + inp2; output = Identity(add);
 * signature {@value #SIGNATURE}. TF-TRT converts it into one engine and saves
 * {@code assets/trt-serialized-engine.TRTEngineOp_0} (TF 2.0 engine naming).
 */
final class TfTrtTestModel {

  static final String SIGNATURE = "tftrt_test_predict";

  private TfTrtTestModel() {}

  static Path export(Path dir) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> inp1 = tf.withName("inp1").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, 1, 1)));
      Placeholder<TFloat32> inp2 = tf.withName("inp2").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, 1, 1)));
      Variable<TFloat32> v = tf.withName("v").variable(Shape.of(1, 1, 1), TFloat32.class);
      tf.withInitScope().withName("v_assign").assign(v, tf.withInitScope().constant(new float[][][] {{{1f}}}));
      Operand<TFloat32> add = tf.math.add(inp1, v);
      Operand<TFloat32> mul = tf.math.mul(inp1, add);
      add = tf.math.add(mul, add);
      add = tf.math.add(add, inp2);
      Operand<TFloat32> out = tf.withName("output").identity(add);
      Files.createDirectories(dir);
      try (Session s = new Session(g)) {
        s.initialize();
        SavedModelBundle.exporter(dir.toString()).withTags("serve").withSession(s)
            .withSignature(Signature.builder().key(SIGNATURE).input("inp1", inp1).input("inp2", inp2)
                .output("output_0", out).build())
            .export();
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
