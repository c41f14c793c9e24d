package io.trtfleet.artifact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.TrtfleetException;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.segment.Segment;
import io.trtfleet.segment.SegmentedGraph;
import io.trtfleet.segment.SegmenterOptions;
import io.trtfleet.tensorrt.EngineArtifact;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.SavedModel;

/**
 * TF-TRT's backward-compatibility model converted by our pipeline (import, segment, write) has the
 * layout TF-TRT writes: one TRTEngineOp carrying every attribute of trt_engine_op.cc with the op
 * definition's types, its native segment {@code <engine>_native_segment}, the signature unchanged, and
 * {@code assets/trt-serialized-engine.<engine>} holding a TFRecord of TRTEngineInstance protos.
 */
class TfTrtLayoutTest {

  static final String ENGINE = "TRTEngineOp_000_000";

  @TempDir Path tmp;

  private record Converted(ImportOptions source, SegmentedGraph segmented, ConvertedSavedModel written,
      MetaGraphDef meta) {}

  private Converted convert(boolean withEngine) throws Exception {
    ImportOptions source = TfTrtFixtures.source(TfTrtTestModel.export(tmp.resolve("tf_saved_model")),
        TfTrtTestModel.SIGNATURE);
    SegmentedGraph segmented = TfTrtFixtures.segment(source, SegmenterOptions.defaults());
    Map<String, EngineArtifact> engines = withEngine
        ? Map.of(ENGINE, TfTrtFixtures.engine(segmented.segment(ENGINE), 4)) : Map.of();
    ConvertedSavedModel written = new TfTrtSavedModelWriter(TrtEngineOpSettings.defaults())
        .write(source, "tftrt_test", segmented, engines, tmp.resolve("tftrt_saved_model"));
    SavedModel model = SavedModel.parseFrom(Files.readAllBytes(written.savedModelDir().resolve("saved_model.pb")));
    assertEquals(1, model.getMetaGraphsCount());
    return new Converted(source, segmented, written, model.getMetaGraphs(0));
  }

  @Test
  void oneEngineWithEveryTrtEngineOpAttributeTypedAsTheOpDefSays() throws Exception {
    Converted c = convert(true);
    List<NodeDef> engines = StockTfSurgery.engines(c.meta().getGraphDef());
    assertEquals(List.of(ENGINE), engines.stream().map(NodeDef::getName).toList());
    NodeDef op = engines.get(0);
    assertEquals(Set.copyOf(TrtEngineOpAttrs.NAMES), op.getAttrMap().keySet());
    for (OpDef.AttrDef def : TrtOpDefs.trtEngineOp().getAttrList()) {
      AttrValue v = op.getAttrMap().get(def.getName());
      assertEquals(expectedCase(def.getType()), v.getValueCase(), def.getName());
      if (def.getType().startsWith("list(")) {
        assertEquals(def.getType(), listType(v, def.getType()), def.getName());
      }
    }
    assertTrue(op.getAttrMap().get("_use_implicit_batch").getValueCase() == AttrValue.ValueCase.B);
    assertEquals(ENGINE + "_native_segment", op.getAttrMap().get("segment_func").getFunc().getName());
    assertEquals(List.of(DataType.DT_FLOAT, DataType.DT_FLOAT), op.getAttrMap().get("InT").getList().getTypeList());
    assertEquals(List.of(DataType.DT_FLOAT), op.getAttrMap().get("OutT").getList().getTypeList());
    assertEquals("FP32", op.getAttrMap().get("precision_mode").getS().toStringUtf8());
    assertEquals("Range", op.getAttrMap().get("profile_strategy").getS().toStringUtf8());
    assertFalse(op.getAttrMap().get("static_engine").getB(), "TF2 TF-TRT: engines are not static");
    assertTrue(op.getAttrMap().get("serialized_segment").getS().isEmpty(), "the engine is in the asset");
    assertEquals(List.of("inp1", "inp2"), op.getInputList());
    assertEquals("[[-1, 1, 1], [-1, 1, 1]]", op.getAttrMap().get("input_shapes").getList().getShapeList().stream()
        .map(s -> s.getDimList().stream().map(d -> d.getSize()).toList().toString()).toList().toString());
  }

  @Test
  void nativeSegmentSignatureAndRewiredConsumerAreTfTrts() throws Exception {
    Converted c = convert(true);
    GraphDef g = c.meta().getGraphDef();
    assertEquals(List.of(ENGINE + "_native_segment"), g.getLibrary().getFunctionList().stream()
        .map(f -> f.getSignature().getName()).toList());
    NodeDef output = g.getNodeList().stream().filter(n -> n.getName().equals("output")).findFirst().orElseThrow();
    assertEquals(List.of(ENGINE), output.getInputList(), "output reads engine output 0");
    Set<String> owned = new HashSet<>(c.segmented().ownedNodes(c.segmented().segment(ENGINE)));
    assertTrue(g.getNodeList().stream().noneMatch(n -> owned.contains(n.getName())), "segment nodes are replaced");
    MetaGraphDef source = org.tensorflow.proto.SavedModel.parseFrom(Files.readAllBytes(
        c.source().modelDir().resolve("saved_model.pb"))).getMetaGraphs(0);
    assertEquals(source.getSignatureDefMap().get(TfTrtTestModel.SIGNATURE),
        c.meta().getSignatureDefMap().get(TfTrtTestModel.SIGNATURE), "signature unchanged");
    assertEquals(source.getMetaInfoDef().getTagsList(), c.meta().getMetaInfoDef().getTagsList());
    assertEquals(List.of(TfTrtTestModel.SIGNATURE), c.written().signatures());
    Set<String> ops = c.meta().getMetaInfoDef().getStrippedOpList().getOpList().stream().map(OpDef::getName)
        .collect(Collectors.toSet());
    assertTrue(ops.containsAll(Set.of("TRTEngineOp", "CreateTRTResourceHandle", "InitializeTRTResource",
        "Placeholder", "Identity")), ops.toString());
    assertFalse(Files.exists(c.written().savedModelDir().resolve("variables")), "the converted graph is frozen");
  }

  /** TF-TRT names the file "trt-serialized-engine." + the engine node's name (TRTEngineOp_0 in TF 2.0). */
  @Test
  void engineAssetIsATfRecordOfTrtEngineInstancesTensorFlowCanRead() throws Exception {
    Converted c = convert(true);
    Path asset = c.written().savedModelDir().resolve("assets/trt-serialized-engine." + ENGINE);
    assertEquals(List.of(asset), c.written().engineAssets());
    List<byte[]> records = TfRecordWriterTest.readWithTensorFlow(asset);
    assertEquals(1, records.size());
    TrtEngineInstance instance = TrtEngineInstance.parseFrom(records.get(0));
    assertEquals(2, instance.inputShapes().size());
    assertArrayEquals(new long[] {4, 1, 1}, instance.inputShapes().get(0), "built for [4,1,1] as gen_tftrt_model.py");
    assertArrayEquals(new long[] {4, 1, 1}, instance.inputShapes().get(1));
    Segment s = c.segmented().segment(ENGINE);
    assertArrayEquals(TfTrtFixtures.engine(s, 4).plan(), instance.serializedEngine());
    assertEquals("trt-serialized-engine." + ENGINE, c.meta().getAssetFileDef(0).getFilename());
    String filenameTensor = c.meta().getAssetFileDef(0).getTensorInfo().getName();
    NodeDef init = c.meta().getGraphDef().getNodeList().stream()
        .filter(n -> n.getOp().equals("InitializeTRTResource")).findFirst().orElseThrow();
    assertEquals(filenameTensor.replace(":0", ""), init.getInput(1));
    NodeDef handle = c.meta().getGraphDef().getNodeList().stream()
        .filter(n -> n.getName().equals(init.getInput(0))).findFirst().orElseThrow();
    assertEquals(ENGINE, handle.getAttrMap().get("resource_name").getS().toStringUtf8(),
        "TRTEngineOp finds its engine cache by its own name");
    assertEquals(TfTrtGraphRewriter.RESOURCE_SCOPE + "/init", c.meta().getSignatureDefMap()
        .get(TfTrtSavedModelWriter.INIT_OP_SIGNATURE).getOutputsMap().get(TfTrtSavedModelWriter.INIT_OP_SIGNATURE)
        .getName());
  }

  @Test
  void withoutAnEngineItIsBuiltAtRuntimeAndNothingIsSaved() throws Exception {
    Converted c = convert(false);
    assertEquals(List.of(ENGINE), c.written().buildAtRuntime());
    assertFalse(Files.exists(c.written().savedModelDir().resolve("assets")));
    assertEquals(0, c.meta().getAssetFileDefCount());
    assertFalse(c.meta().getSignatureDefMap().containsKey(TfTrtSavedModelWriter.INIT_OP_SIGNATURE));
    assertTrue(c.meta().getGraphDef().getNodeList().stream()
        .noneMatch(n -> n.getName().startsWith(TfTrtGraphRewriter.RESOURCE_SCOPE)));
    assertTrue(c.written().fullModelPlan().isEmpty(), "no engine, no plan");
  }

  @Test
  void badInputIsOneClearLine() throws Exception {
    ImportOptions source = TfTrtFixtures.source(TfTrtTestModel.export(tmp.resolve("m")), TfTrtTestModel.SIGNATURE);
    SegmentedGraph segmented = TfTrtFixtures.segment(source, SegmenterOptions.defaults());
    TfTrtSavedModelWriter writer = new TfTrtSavedModelWriter(TrtEngineOpSettings.defaults());
    TrtfleetException unknown = assertThrows(TrtfleetException.class, () -> writer.write(source, "m", segmented,
        Map.of("TRTEngineOp_000_007", TfTrtFixtures.engine(segmented.segments().get(0), 4)), tmp.resolve("o1")));
    assertTrue(unknown.getMessage().contains("TRTEngineOp_000_007"), unknown.getMessage());
    Files.createDirectories(tmp.resolve("o2/saved_model"));
    assertTrue(assertThrows(TrtfleetException.class, () -> writer.write(source, "m", segmented, Map.of(),
        tmp.resolve("o2"))).getMessage().contains("already exists"));
    assertThrows(TrtfleetException.class, () -> writer.write(source, "../m", segmented, Map.of(), tmp.resolve("o3")));
    assertFalse(unknown.getMessage().contains("\n"));
  }

  private static AttrValue.ValueCase expectedCase(String type) {
    return switch (type) {
      case "string" -> AttrValue.ValueCase.S;
      case "int" -> AttrValue.ValueCase.I;
      case "bool" -> AttrValue.ValueCase.B;
      case "func" -> AttrValue.ValueCase.FUNC;
      default -> AttrValue.ValueCase.LIST;
    };
  }

  /** The list type a list value holds (an empty list fits any list type). */
  private static String listType(AttrValue v, String declared) {
    AttrValue.ListValue l = v.getList();
    if (l.getTypeCount() > 0) {
      return "list(type)";
    }
    if (l.getShapeCount() > 0) {
      return "list(shape)";
    }
    if (l.getICount() > 0) {
      return "list(int)";
    }
    return l.getSCount() > 0 ? "list(string)" : declared;
  }
}
