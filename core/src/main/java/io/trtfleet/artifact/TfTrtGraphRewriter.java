package io.trtfleet.artifact;

import com.google.protobuf.ByteString;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.segment.Segment;
import io.trtfleet.segment.SegmentedGraph;
import io.trtfleet.tensorrt.EngineArtifact;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.proto.AssetFileDef;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDefLibrary;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * The converted graph: the frozen graph with each segment's nodes replaced by one TRTEngineOp named
 * like the engine, every reader of a segment output rewired to {@code <engine>:<i>}, and each native
 * segment {@code <engine>_native_segment} in the function library (TF-TRT's fallback).
 *
 * <p>For engines that come with a serialized engine, TF2's TF-TRT tracks a TRT engine resource whose
 * initializer reads {@code assets/trt-serialized-engine.<engine>}. In a MetaGraph that is an asset
 * (AssetFileDef naming a filename tensor the loader feeds), CreateTRTResourceHandle and
 * InitializeTRTResource nodes per engine, and one init NoOp running them all.
 */
public final class TfTrtGraphRewriter {

  /** Scope of the engine-resource nodes; the init op is {@code <scope>/init}. */
  public static final String RESOURCE_SCOPE = "trt_engine_resources";
  public static final String ASSET_PREFIX = "trt-serialized-engine.";

  private TfTrtGraphRewriter() {}

  /** The graph, the engine assets it declares and the init op that loads them (none without assets). */
  public record Result(GraphDef graphDef, List<AssetFileDef> assets, Optional<String> initOp) {
    public Result {
      assets = List.copyOf(assets);
    }
  }

  public static String assetFileName(String engine) {
    return ASSET_PREFIX + engine;
  }

  /**
   * @param engines serialized engines by engine name (restored from assets); the others are built at
   *     runtime. NHWC images an engine binds NCHW are shaped for it ({@link NchwEngineInputs}).
   */
  public static Result rewrite(SegmentedGraph segmented, TrtEngineOpSettings settings, Map<String, EngineArtifact> engines) {
    Set<String> enginesWithAssets = engines.keySet();
    Map<String, String> rewire = new HashMap<>();
    Map<String, Segment> lastOwnedNode = new HashMap<>();
    for (Segment s : segmented.segments()) {
      for (int i = 0; i < s.outputs().size(); i++) {
        rewire.put(s.outputs().get(i).name(), TensorRef.of(s.name(), i).toInput());
      }
      List<String> owned = segmented.ownedNodes(s);
      lastOwnedNode.put(owned.get(owned.size() - 1), s);
    }
    GraphDef.Builder g = GraphDef.newBuilder().setVersions(segmented.graph().graphDef().getVersions());
    // Each engine takes the place of its last node, so the GraphDef stays close to topological order.
    for (Node node : segmented.graph().nodes()) {
      Segment engine = lastOwnedNode.get(node.name());
      if (engine != null) {
        List<String> inputs = new ArrayList<>(engine.inputs().stream()
            .map(in -> rewire.getOrDefault(in.name(), TensorRef.parse(in.name()).toInput())).toList());
        Map<Integer, NchwEngineInputs.Move> nchw = NchwEngineInputs.inputs(engine, engines.get(engine.name()));
        nchw.forEach((i, move) -> inputs.set(i, NchwEngineInputs.toEngine(g::addNode, engine.name(), i, inputs.get(i), move)));
        g.addNode(TrtEngineOpAttrs.nodeDef(engine, inputs, settings, nchw.keySet()));
      }
      if (segmented.ownerOf(node.name()).isPresent()) {
        continue;
      }
      NodeDef.Builder b = node.def().toBuilder().clearInput();
      node.inputs().forEach(ref -> b.addInput(rewire.getOrDefault(ref.tensorName(), ref.toInput())));
      g.addNode(b);
    }
    // The frozen graph's own functions (bodies of the control flow kept in TensorFlow) stay.
    FunctionDefLibrary.Builder library = segmented.graph().graphDef().getLibrary().toBuilder();
    segmented.segments().forEach(s -> library.addFunction(NchwEngineInputs.toTensorFlow(
        segmented.nativeSegments().get(s.name()), NchwEngineInputs.inputs(s, engines.get(s.name())))));
    g.setLibrary(library);

    List<AssetFileDef> assets = new ArrayList<>();
    List<String> initializers = new ArrayList<>();
    segmented.graph().initOp().ifPresent(tables -> initializers.add("^" + tables)); // frozen lookup tables
    for (Segment s : segmented.segments()) {
      if (enginesWithAssets.contains(s.name())) {
        assets.add(addEngineResource(g, s.name(), settings.maxCachedEngines()));
        initializers.add("^" + scope(s.name()) + "/initialize");
      }
    }
    if (initializers.isEmpty()) {
      return new Result(g.build(), assets, Optional.empty());
    }
    String init = RESOURCE_SCOPE + "/init";
    g.addNode(NodeDef.newBuilder().setName(init).setOp("NoOp").addAllInput(initializers));
    return new Result(g.build(), assets, Optional.of(init));
  }

  private static String scope(String engine) {
    return RESOURCE_SCOPE + "/" + engine;
  }

  /**
   * trt_convert.py _TRTEngineResource: a handle named after the engine (TRTEngineOp finds its cache by
   * that name) initialized from the asset file; the loader feeds the file's path to the filename Const.
   */
  private static AssetFileDef addEngineResource(GraphDef.Builder g, String engine, long maxCachedEngines) {
    String scope = scope(engine);
    String file = assetFileName(engine);
    g.addNode(NodeDef.newBuilder().setName(scope + "/filename").setOp("Const")
        .putAttr("dtype", AttrValue.newBuilder().setType(DataType.DT_STRING).build())
        .putAttr("value", AttrValue.newBuilder().setTensor(TensorProto.newBuilder().setDtype(DataType.DT_STRING)
            .setTensorShape(TensorShapeProto.getDefaultInstance()).addStringVal(ByteString.copyFromUtf8(file))).build()));
    g.addNode(NodeDef.newBuilder().setName(scope + "/handle").setOp(TrtOpDefs.CREATE_RESOURCE)
        .putAttr("resource_name", AttrValue.newBuilder().setS(ByteString.copyFromUtf8(engine)).build()));
    g.addNode(NodeDef.newBuilder().setName(scope + "/initialize").setOp(TrtOpDefs.INITIALIZE_RESOURCE)
        .addInput(scope + "/handle").addInput(scope + "/filename")
        .putAttr("max_cached_engines_count", AttrValue.newBuilder().setI(maxCachedEngines).build()));
    return AssetFileDef.newBuilder().setFilename(file).setTensorInfo(TensorInfo.newBuilder()
        .setName(scope + "/filename:0").setDtype(DataType.DT_STRING)
        .setTensorShape(TensorSpec.toProto(new long[0]))).build();
  }
}
