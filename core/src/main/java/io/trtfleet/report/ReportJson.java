package io.trtfleet.report;

import io.trtfleet.graph.TensorSpec;
import io.trtfleet.segment.Dtypes;
import io.trtfleet.segment.NativeSegmentBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** report/report.json: the summary, the engines with their nodes and tensors, and every node not converted. */
public final class ReportJson {

  static final String COUNTING = "ops_total counts every node of the frozen graph (signature inputs, Consts and"
      + " output Identity nodes included), as TF-TRT's summary() does; ops_converted counts the nodes engines"
      + " own (Consts an engine copies in but TensorFlow ops also read are counted once, as not converted);"
      + " ops_convertible leaves out the signature's input and output nodes.";

  private ReportJson() {}

  public static Map<String, Object> toMap(ConversionReport r) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("model", r.model());
    root.put("signature", r.signature());
    root.put("options", options(r));
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("engines", r.engines().size());
    summary.put("ops_converted", r.opsConverted());
    summary.put("ops_total", r.opsTotal());
    summary.put("percent_converted", round(r.percentConverted()));
    summary.put("ops_convertible", r.opsConvertible());
    summary.put("percent_of_convertible_converted", round(r.percentOfConvertibleConverted()));
    summary.put("counting", COUNTING);
    root.put("summary", summary);
    root.put("engines", r.engines().stream().map(ReportJson::engine).toList());
    root.put("not_converted", r.notConverted().stream().map(g -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("op_type", g.opType());
      m.put("count", g.count());
      m.put("reason", g.reason());
      m.put("nodes", g.nodes());
      return m;
    }).toList());
    return root;
  }

  private static Map<String, Object> options(ConversionReport r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("precision_mode", r.options().precision().name());
    m.put("minimum_segment_size", r.options().minimumSegmentSize());
    m.put("maximum_engines", r.options().maximumEngines());
    m.put("denylist", r.options().denylistSorted());
    m.put("dynamic_shapes", r.options().dynamicShapes());
    m.put("shapes", r.options().shapes().cliName());
    return m;
  }

  private static Map<String, Object> engine(ConversionReport.Engine e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", e.name());
    m.put("native_segment", NativeSegmentBuilder.functionName(e.name()));
    m.put("num_nodes", e.ownedNodes());
    m.put("inputs", tensors(e.inputs()));
    m.put("outputs", tensors(e.outputs()));
    m.put("op_counts", e.opCounts());
    m.put("nodes", e.nodes());
    m.put("copied_constants", e.copiedConstants());
    return m;
  }

  private static List<Map<String, Object>> tensors(List<TensorSpec> tensors) {
    return tensors.stream().map(t -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", t.name());
      m.put("dtype", Dtypes.name(t.dtype()));
      m.put("shape", TensorSpec.boxed(t.shape()));
      return m;
    }).toList();
  }

  private static double round(double percent) {
    return Math.round(percent * 100) / 100.0;
  }
}
