package io.trtfleet.tensorrt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.trtfleet.convert.ConversionOptions;
import io.trtfleet.convert.OnnxSegmentConverter;
import io.trtfleet.convert.OptimizationProfile;
import io.trtfleet.convert.WholeGraphSegment;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.reference.ReferenceRunner;
import io.trtfleet.testing.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineBuilderTest {

  @Test
  void configRejectsBadValues() {
    assertThrows(IllegalArgumentException.class, () -> EngineBuildConfig.builder("FP32").optimizationLevel(6).build());
    assertThrows(IllegalArgumentException.class, () -> EngineBuildConfig.builder("FP32").workspaceBytes(0).build());
  }

  @Test
  void tf32IsTensorRtsDefaultAndCanBeTurnedOff() {
    assertTrue(EngineBuildConfig.builder("FP32").build().tf32());
    assertFalse(EngineBuildConfig.builder("FP32").tf32(false).build().tf32());
  }

  /** NHWC images are bound channel-last unless asked otherwise; a binding is never left unset. */
  @Test
  void imagesAreBoundChannelLastByDefaultAndTimingRunsAreValidated() {
    assertEquals(ImageBinding.CHANNEL_LAST, EngineBuildConfig.builder("FP16").build().imageBinding(), "the default");
    assertEquals(ImageBinding.NCHW, EngineBuildConfig.builder("FP16").imageBinding(ImageBinding.NCHW).build()
        .imageBinding());
    assertThrows(NullPointerException.class, () -> EngineBuildConfig.builder("FP16").imageBinding(null).build());
    assertArrayEquals(new long[] {-1, 3, 224, 224}, NhwcImageInputs.nchw(new long[] {-1, 224, 224, 3}));
    assertThrows(IllegalArgumentException.class, () -> EngineBuildConfig.builder("FP32").avgTimingIterations(-1).build());
  }

  /** The runner transposes exactly the inputs the metadata says are bound channel-first. */
  @Test
  void channelFirstInputsComeFromTheMetadata() {
    long[] s = {-1, 3, 8, 8};
    EngineMetadata m = new EngineMetadata("seg", "h200.sm90", "NVIDIA H200", "9.0", "trt-10.6.0", "INT8", List.of(),
        List.of(new EngineMetadata.IoTensor("first", true, "float", s, EngineMetadata.IoTensor.NCHW),
            new EngineMetadata.IoTensor("last", true, "float", s, EngineMetadata.IoTensor.HWC),
            new EngineMetadata.IoTensor("plain", true, "float", s, EngineMetadata.IoTensor.LINEAR),
            new EngineMetadata.IoTensor("out", false, "float", s, EngineMetadata.IoTensor.NCHW)), 1, 0.1);
    assertEquals(java.util.Set.of("first"), m.channelFirstInputs());
    assertTrue(m.io().get(1).nchwOfNhwc() && !m.io().get(1).channelFirst() && !m.io().get(2).nchwOfNhwc());
  }

  /** Without a GPU every entry point says so in one line instead of failing inside native code. */
  @Test
  void withoutGpuTheBuildSaysWhy() {
    assumeTrue(TensorRt.unavailableReason().isPresent(), "a GPU and TensorRT are present: covered by the GPU test");
    GpuUnavailableException e = assertThrows(GpuUnavailableException.class,
        () -> new EngineBuilder(null).build("TRTEngineOp_000_000", new byte[0], EngineBuildConfig.builder("FP32").build()));
    assertTrue(e.getMessage().startsWith("no GPU/TensorRT on this machine (") && e.getMessage().contains("GPU"),
        e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }

  /** On a GPU host: the MLP's FP32 engine matches TensorFlow. Skipped elsewhere with the reason. */
  @Test
  void fp32EngineMatchesTensorFlowOnGpu(@TempDir Path tmp) {
    assumeGpu();
    buildAndCompareWithTensorFlow(TestModels.mlp(tmp.resolve("mlp")), ImageBinding.AS_SHAPED);
  }

  /**
   * On a GPU host: the residual block's NHWC input bound channel-last, and bound channel-first, has NCHW
   * dimensions and the binding's format, takes the same NHWC host tensor (the runner transposes it for the
   * channel-first engine), and matches TensorFlow. Skipped elsewhere.
   */
  @Test
  void nhwcImagesBoundNchwMatchTensorFlowOnGpu(@TempDir Path tmp) {
    assumeGpu();
    Path model = TestModels.residualBlock(tmp.resolve("m"));
    long[] nhwc = SavedModelImporter.importModel(ImportOptions.of(model)).graph().signature().inputs().get(0)
        .tensor().shape();
    EngineMetadata.IoTensor last = buildAndCompareWithTensorFlow(model, ImageBinding.CHANNEL_LAST).metadata().io().get(0);
    assertTrue(last.channelLast(), "input bound channel-last: " + last);
    assertArrayEquals(NhwcImageInputs.nchw(nhwc), last.shape());
    EngineMetadata.IoTensor first = buildAndCompareWithTensorFlow(model, ImageBinding.NCHW).metadata().io().get(0);
    assertTrue(first.channelFirst(), "input bound channel-first: " + first);
    assertArrayEquals(NhwcImageInputs.nchw(nhwc), first.shape());
  }

  private static void assumeGpu() {
    assumeTrue(TensorRt.unavailableReason().isEmpty(),
        () -> "skipped: no GPU/TensorRT here (" + TensorRt.unavailableReason().orElse("") + ")");
  }

  /** The model's FP32 engine (batch 1 to 8) on 4 random samples, against TensorFlow's first output. */
  private static EngineArtifact buildAndCompareWithTensorFlow(Path model, ImageBinding binding) {
    FrozenGraph g = SavedModelImporter.importModel(ImportOptions.of(model)).graph();
    var segment = WholeGraphSegment.of(g);
    byte[] onnx = OnnxSegmentConverter.convert(g, segment, ConversionOptions.fp32()).orElseThrow().onnx();
    String input = g.signature().inputs().get(0).tensor().name();
    long[] shape = g.signature().inputs().get(0).tensor().shape().clone();
    long[] one = shape.clone();
    long[] eight = shape.clone();
    shape[0] = 4;
    one[0] = 1;
    eight[0] = 8;
    EngineArtifact e = new EngineBuilder(TensorRt.identify(0)).build(segment.name(), onnx, EngineBuildConfig
        .builder("FP32").imageBinding(binding).profiles(List.of(new OptimizationProfile(Map.of(input,
            new OptimizationProfile.Dims(one, shape, eight))))).build());
    HostTensor x = HostTensor.ofFloats(shape, TestModels.randomInput(1, (int) HostTensor.elementCount(shape)));
    String out = g.signature().outputs().get(0).tensor().name();
    float[] expected;
    try (ReferenceRunner tf = new ReferenceRunner(g)) {
      expected = tf.run(Map.of(input, x), List.of(out)).get(out).floats();
    }
    try (EngineRunner run = new EngineRunner(e)) {
      assertArrayEquals(expected, run.run(Map.of(input, x)).get(out).floats(), 1e-3f);
    }
    return e;
  }
}
