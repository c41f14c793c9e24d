package io.trtfleet.report;

import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.segment.Segment;
import io.trtfleet.segment.SegmentedGraph;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * report/graph.dot: the frozen graph for Graphviz ({@code dot -Tsvg graph.dot}), one filled cluster per
 * engine, each in its own colour; nodes left to TensorFlow are white, signature inputs and outputs grey.
 */
public final class GraphDot {

  /** ColorBrewer Set3: light, distinct fills that keep black labels readable. */
  static final List<String> PALETTE = List.of("#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462",
      "#b3de69", "#fccde5", "#d9d9d9", "#bc80bd", "#ccebc5", "#ffed6f");

  private GraphDot() {}

  public static String dot(SegmentedGraph s) {
    StringBuilder out = new StringBuilder();
    out.append("digraph ").append(quote(s.graph().signature().key())).append(" {\n");
    out.append("  rankdir=TB;\n  node [shape=box, style=\"rounded,filled\", fillcolor=white,"
        + " fontname=\"Helvetica\", fontsize=10];\n");
    Set<String> io = new HashSet<>();
    s.graph().signature().inputs().forEach(a -> io.add(a.ref().node()));
    s.graph().signature().outputs().forEach(a -> io.add(a.ref().node()));
    for (int i = 0; i < s.segments().size(); i++) {
      Segment seg = s.segments().get(i);
      String colour = PALETTE.get(i % PALETTE.size());
      List<String> owned = s.ownedNodes(seg);
      out.append("  subgraph ").append(quote("cluster_" + seg.name())).append(" {\n");
      out.append("    label=").append(quote(seg.name() + " (" + owned.size() + " nodes)"))
          .append("; style=\"rounded,filled\"; color=\"#555555\"; fillcolor=\"").append(colour).append("40\";\n");
      for (String n : owned) {
        out.append("    ").append(node(s.graph().node(n), colour)).append('\n');
      }
      out.append("  }\n");
    }
    for (Node n : s.graph().nodes()) {
      if (s.ownerOf(n.name()).isEmpty()) {
        out.append("  ").append(node(n, io.contains(n.name()) ? "#eeeeee" : "white")).append('\n');
      }
    }
    for (Node n : s.graph().nodes()) {
      for (TensorRef in : n.dataInputs()) {
        out.append("  ").append(quote(in.node())).append(" -> ").append(quote(n.name()));
        if (in.index() > 0) {
          out.append(" [label=").append(quote(":" + in.index())).append(']');
        }
        out.append(";\n");
      }
    }
    return out.append("}\n").toString();
  }

  private static String node(Node n, String colour) {
    return quote(n.name()) + " [label=" + quote(n.name() + "\n" + n.op()) + ", fillcolor=\"" + colour + "\"];";
  }

  /** A DOT string: quotes and backslashes escaped, line breaks as {@code \n}. */
  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }
}
