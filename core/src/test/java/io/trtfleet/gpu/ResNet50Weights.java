package io.trtfleet.gpu;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.reference.ReferenceRunner;
import io.trtfleet.testing.ResNet50;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorProto;

/**
 * Writes the frozen weights of the seeded ResNet-50 ({@link ResNet50}) for scripts/gpu/export_anchor.py
 * {@code --weights}, so TensorRT's ONNX-parser anchor can be built from the very weights our engine
 * has: {@code weights.bin} (little-endian FP32, one tensor after another), {@code weights.json} (name
 * -> shape and element offset), and a check: {@code input.bin} (two NHWC images) with TensorFlow's
 * {@code logits.bin} for them.
 *
 * <pre>java -cp ... io.trtfleet.gpu.ResNet50Weights OUT_DIR [size]</pre>
 */
public final class ResNet50Weights {

  private ResNet50Weights() {}

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    int size = args.length > 1 ? Integer.parseInt(args[1]) : 224;
    Files.createDirectories(out);
    FrozenGraph g = SavedModelImporter.importModel(ImportOptions.of(
        ResNet50.export(Files.createTempDirectory("resnet50").resolve("saved_model"), size))).graph();
    int tensors = write(g, out);
    HostTensor images = GpuSuite.gaussianImages(new Random(7), 2, size);
    String input = g.signature().inputs().get(0).tensor().name();
    String logits = g.signature().outputs().stream().filter(o -> o.key().equals("logits")).findFirst()
        .orElseThrow().tensor().name();
    try (ReferenceRunner tf = new ReferenceRunner(g)) {
      Files.write(out.resolve("logits.bin"), tf.run(Map.of(input, images), List.of(logits)).get(logits).data());
    }
    Files.write(out.resolve("input.bin"), images.data());
    System.out.println("RESNET50-WEIGHTS " + tensors + " tensors, reference logits for 2 images in " + out);
  }

  /** Every FP32 Const of the frozen graph whose name is a variable's (scope/kernel, .../gamma, ...). */
  static int write(FrozenGraph g, Path out) throws IOException {
    Map<String, Object> index = new LinkedHashMap<>();
    long offset = 0;
    try (OutputStream bin = Files.newOutputStream(out.resolve("weights.bin"))) {
      for (Node n : g.nodes()) {
        if (!n.op().equals("Const") || !n.name().matches(".*/(kernel|bias|gamma|beta|moving_mean|moving_variance)")) {
          continue;
        }
        TensorProto t = n.attr("value").orElseThrow().getTensor();
        long[] shape = TensorSpec.dims(t.getTensorShape());
        byte[] data = floats(n.name(), t);
        bin.write(data);
        index.put(n.name(), Map.of("shape", shape, "offset", offset));
        offset += data.length / 4;
      }
    }
    new ObjectMapper().writeValue(out.resolve("weights.json").toFile(), index);
    return index.size();
  }

  /** A frozen variable's bytes: the importer writes every one as packed FP32 tensor content. */
  private static byte[] floats(String name, TensorProto t) {
    if (t.getDtype() != DataType.DT_FLOAT || t.getTensorContent().isEmpty()) {
      throw new IllegalStateException(name + ": " + t.getDtype() + " without packed content, expected frozen DT_FLOAT");
    }
    return t.getTensorContent().toByteArray();
  }
}
