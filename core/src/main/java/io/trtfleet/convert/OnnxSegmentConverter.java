package io.trtfleet.convert;

import io.trtfleet.Precision;
import io.trtfleet.TrtfleetException;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.onnx.OnnxDataType;
import io.trtfleet.onnx.OnnxGraphBuilder;
import io.trtfleet.onnx.proto.Onnx.ModelProto;
import io.trtfleet.segment.Segment;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converts one segment of a frozen graph into an ONNX model (opset {@value OnnxGraphBuilder#OPSET}).
 * Nodes are converted in graph order by the converter of their op; a node no converter can express
 * exactly makes the whole segment fall back to TensorFlow, with the node and the reason in the result.
 */
public final class OnnxSegmentConverter {

  private static final Logger LOG = LoggerFactory.getLogger(OnnxSegmentConverter.class);

  /** Symbolic name of a dynamic leading (batch) dimension. */
  public static final String BATCH_DIM = "batch";

  private OnnxSegmentConverter() {}

  public static ConversionResult convert(FrozenGraph graph, Segment segment, ConversionOptions options) {
    long start = System.nanoTime();
    Set<String> nodeSet = new HashSet<>(segment.nodes());
    Set<String> outputNames = segment.outputs().stream().map(TensorSpec::name).collect(Collectors.toSet());
    Set<String> inputNames = segment.inputs().stream().map(TensorSpec::name).collect(Collectors.toSet());
    OnnxGraphBuilder onnx = new OnnxGraphBuilder(segment.name());
    // Boundary values keep TensorFlow's tensor names; reserve them so no intermediate takes one.
    outputNames.stream().filter(n -> !inputNames.contains(n)).forEach(onnx::reserve);
    try (ConversionContext ctx = new ConversionContext(graph, onnx, options, nodeSet, outputNames)) {
      return convert(graph, segment, options, ctx, onnx, nodeSet, inputNames, start);
    }
  }

  private static ConversionResult convert(FrozenGraph graph, Segment segment, ConversionOptions options,
      ConversionContext ctx, OnnxGraphBuilder onnx, Set<String> nodeSet, Set<String> inputNames, long start) {
    try {
      for (TensorSpec in : segment.inputs()) {
        int type = OnnxDataType.of(in.dtype());
        if (type < 0 || !in.hasRank()) {
          return fallback(segment, "input " + in + " has no ONNX type or unknown rank");
        }
        onnx.input(in.name(), type, in.shape(), symbols(in));
        ctx.values.defineInput(in, in.name(), type);
      }
      // Constant subgraphs first, so converters (and weight folding) see their values as constants.
      Set<String> folded = new HashSet<>();
      for (Node node : graph.nodes()) {
        if (nodeSet.contains(node.name()) && !node.op().equals("Const") && ctx.constants.fold(node)) {
          folded.add(node.name());
        }
      }
      int converted = 0;
      for (Node node : graph.nodes()) {
        if (!nodeSet.contains(node.name()) || ctx.scope.isAbsorbed(node.name()) || node.op().equals("Const")
            || folded.contains(node.name())) {
          continue;
        }
        OpConverter converter = OpConverters.forOp(node.op()).orElseThrow(() ->
            new UnsupportedNodeException(node, "no ONNX converter for op " + node.op()));
        converter.convert(node, ctx);
        converted++;
      }
      for (TensorSpec out : segment.outputs()) {
        int type = OnnxDataType.of(out.dtype());
        String value = ctx.view(ctx.values.value(TensorRef.parse(out.name())), Layout.AS_IS, type);
        if (inputNames.contains(out.name())) {
          continue; // a pass-through: the graph input is the output
        }
        onnx.nodeWithOutputs("Identity", List.of(value), List.of(out.name()));
        onnx.output(out.name(), type, out.shape(), null);
      }
      LOG.debug("converted {} nodes of {}", converted, segment.name());
    } catch (UnsupportedNodeException e) {
      LOG.info("segment {} falls back to TensorFlow: {}", segment.name(), e.getMessage());
      return fallback(segment, e.getMessage());
    } catch (IllegalStateException e) {
      LOG.info("segment {} falls back to TensorFlow: {}", segment.name(), e.getMessage());
      return fallback(segment, e.getMessage());
    }
    Quantizer quantizer = ctx.quantizer;
    if (options.precision().quantized() && quantizer.quantized.isEmpty() && !quantizer.unquantized.isEmpty()) {
      throw new TrtfleetException("the calibration table has a scale for none of the " + quantizer.unquantized.size()
          + " tensors segment " + segment.name() + " quantizes (needs e.g. " + quantizer.unquantized.keySet().iterator().next()
          + ", has e.g. " + options.calibration().scales().keySet().stream().findFirst().orElse("nothing")
          + "): it was made for another model or signature; run trtfleet calibrate on this one");
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("trtfleet.segment", segment.name());
    metadata.put("trtfleet.precision", options.precision().name());
    metadata.put("trtfleet.tf_inputs", String.join(",", segment.inputs().stream().map(TensorSpec::name).toList()));
    metadata.put("trtfleet.tf_outputs", String.join(",", segment.outputs().stream().map(TensorSpec::name).toList()));
    ModelProto model = onnx.build("TensorFlow segment " + segment.name() + " converted by trtfleet", metadata);
    if (options.precision().quantized() && options.precision().quantizedType() == Precision.QuantizedType.INT8
        && options.precision().halfBetweenLayers()) {
      Fp32Retyping retyping = new Fp32Retyping(model);
      FusedPoolTyping.mark(retyping).forEach(conv -> ctx.notes.note("quantized conv + activation + max pool typed FP32"
          + " for TensorRT's fused INT8 kernel (" + conv + ")"));
      FloatOutputTyping.mark(retyping).forEach(conv -> ctx.notes.note("quantized conv writes the FP32 outputs itself"
          + " (" + conv + ")"));
      model = retyping.apply();
    }
    byte[] bytes = model.toByteArray();
    long millis = (System.nanoTime() - start) / 1_000_000;
    ConversionReport report = new ConversionReport(segment.name(), options.precision(), segment.nodes().size(),
        ctx.notes.folded, quantizer.quantized, quantizer.unquantized, ctx.notes.notes, opCounts(model), millis);
    LOG.info("converted {} to ONNX ({} bytes, {} ms)", segment.name(), bytes.length, millis);
    List<OptimizationProfile> profiles = options.exampleShapes().isEmpty() ? List.of()
        : OptimizationProfile.compute(options.profileStrategy(), segment.inputs(), options.exampleShapes());
    return ConversionResult.success(new ConvertedSegment(segment, bytes, report, profiles, ctx.values.primaryValues()));
  }

  /** How many nodes of each op the final model has (after retyping, which may replace some). */
  private static Map<String, Integer> opCounts(ModelProto model) {
    Map<String, Integer> counts = new HashMap<>();
    model.getGraph().getNodeList().forEach(n -> counts.merge(n.getOpType(), 1, Integer::sum));
    return Map.copyOf(counts);
  }

  private static ConversionResult fallback(Segment segment, String reason) {
    return ConversionResult.fallback(segment, reason);
  }

  /** Symbolic names for -1 dims: the leading one is the batch, others are named after the tensor. */
  static String[] symbols(TensorSpec spec) {
    long[] shape = spec.shape();
    String[] names = new String[shape.length];
    String base = spec.name().replaceAll("[^A-Za-z0-9_]", "_");
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0) {
        names[i] = i == 0 ? BATCH_DIM : base + "_dim" + i;
      }
    }
    return names;
  }
}
