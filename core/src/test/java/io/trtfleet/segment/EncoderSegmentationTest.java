package io.trtfleet.segment;

import io.trtfleet.Precision;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.graph.FrozenGraph;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A transformer encoder block: all of its ops convert; Einsum needs dynamic shapes, as in TF-TRT. */
class EncoderSegmentationTest {

  @TempDir Path tmp;

  @Test
  void encoderBlockIsOneEngineWithStaticShapes() throws Exception {
    FrozenGraph g = ModelSegmentationTest.load(EncoderModel.export(tmp.resolve("encoder"), false));
    SegmentedGraph s = new Segmenter(SegmenterOptions.defaults()).segment(g);
    ModelSegmentationTest.assertOneEngineWithEverythingConvertible(s);
    Map<String, Integer> ops = s.opCounts(s.segments().get(0));
    assertEquals(8, ops.get("BatchMatMulV2"));
    assertEquals(1, ops.get("Softmax"));
    assertEquals(1, ops.get("Erf"));
    assertEquals(4, ops.get("Mean"));
    assertEquals(2, ops.get("Rsqrt"));
    assertEquals(4, ops.get("Transpose"));
  }

  /** Attention multiplies two activations (BatchMatMulV2): INT8 takes it, as calibration covers both. */
  @Test
  void encoderBlockIsOneEngineInInt8() throws Exception {
    FrozenGraph g = ModelSegmentationTest.load(EncoderModel.export(tmp.resolve("encoder"), false));
    ModelSegmentationTest.assertOneEngineWithEverythingConvertible(
        new Segmenter(SegmenterOptions.builder().precision(Precision.INT8).build()).segment(g));
  }

  @Test
  void einsumSplitsTheEncoderWithStaticShapesAndJoinsItWithDynamicShapes() throws Exception {
    FrozenGraph g = ModelSegmentationTest.load(EncoderModel.export(tmp.resolve("einsum"), true));
    SegmentedGraph fixed = new Segmenter(SegmenterOptions.builder().shapes(ShapeMode.STATIC).build()).segment(g);
    SegmenterTest.assertQuotientIsAcyclic(fixed);
    assertEquals(List.of(new Rejection("query_einsum", "Einsum", "Einsum: needs dynamic shapes")),
        fixed.notConverted().stream().filter(r -> r.op().equals("Einsum")).toList());
    assertTrue(fixed.segments().size() >= 2, "segments: " + fixed.segments().size());
    SegmentedGraph dynamic = new Segmenter(SegmenterOptions.builder().dynamicShapes(true).build()).segment(g);
    ModelSegmentationTest.assertOneEngineWithEverythingConvertible(dynamic);
    ModelSegmentationTest.assertOneEngineWithEverythingConvertible(new Segmenter(SegmenterOptions.defaults()).segment(g));
  }
}
