package io.trtfleet.artifact;

import io.trtfleet.convert.OptimizationProfile;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.segment.Segment;
import io.trtfleet.segment.SegmentedGraph;
import io.trtfleet.segment.Segmenter;
import io.trtfleet.segment.SegmenterOptions;
import io.trtfleet.tensorrt.EngineArtifact;
import io.trtfleet.tensorrt.EngineMetadata;
import io.trtfleet.testing.TestModels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.types.TFloat32;

/** Shared helpers of the publish tests: segmenting a SavedModel, opaque engines, running a SavedModel. */
final class TfTrtFixtures {

  private TfTrtFixtures() {}

  static ImportOptions source(Path dir, String signature) {
    return ImportOptions.builder(dir).signature(signature).build();
  }

  static SegmentedGraph segment(ImportOptions source, SegmenterOptions options) {
    return new Segmenter(options).segment(SavedModelImporter.importModel(source).graph());
  }

  /** Opaque plan bytes (no GPU here) with one profile: batch 1 to {@code maxBatch}. */
  static EngineArtifact engine(Segment s, int maxBatch) {
    Map<String, OptimizationProfile.Dims> dims = new LinkedHashMap<>();
    List<EngineMetadata.IoTensor> io = new ArrayList<>();
    for (TensorSpec in : s.inputs()) {
      long[] min = in.shape();
      long[] max = in.shape();
      min[0] = 1;
      max[0] = maxBatch;
      dims.put(in.name(), new OptimizationProfile.Dims(min, max, max));
      io.add(new EngineMetadata.IoTensor(in.name(), true, "float", in.shape(), EngineMetadata.IoTensor.LINEAR));
    }
    s.outputs().forEach(o -> io.add(
        new EngineMetadata.IoTensor(o.name(), false, "float", o.shape(), EngineMetadata.IoTensor.LINEAR)));
    byte[] plan = ("opaque plan of " + s.name()).getBytes(StandardCharsets.UTF_8);
    return new EngineArtifact(plan, new EngineMetadata(s.name(), "test-gpu", "Test GPU", "9.0", "10.8", "fp32",
        List.of(new OptimizationProfile(dims)), io, plan.length, 0.1));
  }

  /** {@code plain} with its first input bound channel-last: format hwc, NCHW dimensions when it is rank 4. */
  static EngineArtifact channelLast(EngineArtifact plain) {
    return boundNchw(plain, EngineMetadata.IoTensor.HWC);
  }

  /** {@code plain} with its first input bound channel-first: format nchw, NCHW dimensions when it is rank 4. */
  static EngineArtifact channelFirst(EngineArtifact plain) {
    return boundNchw(plain, EngineMetadata.IoTensor.NCHW);
  }

  private static EngineArtifact boundNchw(EngineArtifact plain, String format) {
    EngineMetadata m = plain.metadata();
    List<EngineMetadata.IoTensor> io = new ArrayList<>(m.io());
    EngineMetadata.IoTensor in = io.get(0);
    long[] s = in.shape();
    long[] dims = s.length == 4 ? new long[] {s[0], s[3], s[1], s[2]} : s;
    io.set(0, new EngineMetadata.IoTensor(in.name(), true, in.dtype(), dims, format));
    return new EngineArtifact(plain.plan(), new EngineMetadata(m.segment(), m.deviceKey(), m.gpuName(),
        m.computeCapability(), m.tensorRtVersion(), m.precision(), m.profiles(), io, m.planBytes(), m.buildSeconds()));
  }

  /** Runs a SavedModel signature on float inputs (by signature key) and returns its float outputs. */
  static Map<String, float[]> run(Path savedModel, String signature, Map<String, float[]> inputs, long batch) {
    try (SavedModelBundle bundle = SavedModelBundle.load(savedModel.toString(), "serve")) {
      SignatureDef sig = bundle.metaGraphDef().getSignatureDefMap().get(signature);
      Session.Runner r = bundle.session().runner();
      List<Tensor> fed = new ArrayList<>();
      try {
        for (Map.Entry<String, TensorInfo> in : sig.getInputsMap().entrySet()) {
          long[] shape = TensorSpec.dims(in.getValue().getTensorShape());
          shape[0] = batch;
          Tensor t = TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(inputs.get(in.getKey())));
          fed.add(t);
          r.feed(in.getValue().getName(), t);
        }
        List<String> keys = new ArrayList<>(new java.util.TreeSet<>(sig.getOutputsMap().keySet()));
        keys.forEach(k -> r.fetch(sig.getOutputsMap().get(k).getName()));
        Map<String, float[]> out = new HashMap<>();
        try (Result result = r.run()) {
          for (int i = 0; i < keys.size(); i++) {
            out.put(keys.get(i), floats((TFloat32) result.get(i)));
          }
        }
        return out;
      } finally {
        fed.forEach(Tensor::close);
      }
    }
  }

  static Map<String, float[]> randomInputs(Path savedModel, String signature, long batch) {
    try (SavedModelBundle bundle = SavedModelBundle.load(savedModel.toString(), "serve")) {
      SignatureDef sig = bundle.metaGraphDef().getSignatureDefMap().get(signature);
      Map<String, float[]> out = new HashMap<>();
      long seed = 7;
      for (Map.Entry<String, TensorInfo> in : new java.util.TreeMap<>(sig.getInputsMap()).entrySet()) {
        long[] shape = TensorSpec.dims(in.getValue().getTensorShape());
        shape[0] = batch;
        long count = 1;
        for (long d : shape) {
          count *= d;
        }
        out.put(in.getKey(), TestModels.randomInput(seed++, (int) count));
      }
      return out;
    }
  }

  private static float[] floats(TFloat32 t) {
    byte[] bytes = new byte[(int) t.asRawTensor().numBytes()];
    t.asRawTensor().data().read(bytes);
    float[] out = new float[bytes.length / 4];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }
}
