package io.trtfleet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Signature;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.importer.ImportedModel;
import io.trtfleet.importer.SavedModelImporter;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trtfleet inspect}: signatures, node count and op histogram of the frozen graph. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Import a SavedModel and print its signatures and the frozen graph's ops.")
public final class InspectCommand implements Callable<Integer> {

  @Mixin
  ModelOptions model;

  @Option(names = "--json", description = "print one JSON object instead of text")
  boolean json;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ImportedModel imported = SavedModelImporter.importModel(model.importOptions());
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(toJson(imported)));
    } else {
      printText(imported, out);
    }
    out.flush();
    return 0;
  }

  /** The JSON form: keys signatures, nodes, ops, variables_frozen (plus the import's notes). */
  static Map<String, Object> toJson(ImportedModel m) {
    FrozenGraph g = m.graph();
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("model", m.modelDir().toString());
    root.put("signature", g.signature().key());
    root.put("signatures", m.signatures().stream().map(InspectCommand::signatureJson).toList());
    root.put("nodes", g.nodes().size());
    root.put("ops", g.opHistogram());
    root.put("variables_frozen", g.variablesFrozen());
    root.put("already_converted", m.alreadyConverted());
    return root;
  }

  private static Map<String, Object> signatureJson(Signature s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.key());
    m.put("method", s.methodName());
    m.put("inputs", s.inputs().stream().map(InspectCommand::argJson).toList());
    m.put("outputs", s.outputs().stream().map(InspectCommand::argJson).toList());
    return m;
  }

  private static Map<String, Object> argJson(Signature.Argument a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", a.key());
    m.put("tensor", a.tensor().name());
    m.put("dtype", a.tensor().dtypeName());
    m.put("shape", TensorSpec.boxed(a.tensor().shape()));
    return m;
  }

  private static void printText(ImportedModel m, PrintWriter out) {
    FrozenGraph g = m.graph();
    out.println("SavedModel: " + m.modelDir());
    out.println("Signatures (" + m.signatures().size() + "):");
    for (Signature s : m.signatures()) {
      out.println("  " + s.key() + (s.key().equals(g.signature().key()) ? "  [imported]" : ""));
      printArgs("inputs ", s.inputs(), out);
      printArgs("outputs", s.outputs(), out);
    }
    out.printf("Frozen graph of '%s': %d nodes, %d variables frozen%n", g.signature().key(),
        g.nodes().size(), g.variablesFrozen());
    out.println("Ops:");
    g.opHistogramByCount().forEach((op, n) -> out.printf("  %-28s %d%n", op, n));
    if (!m.alreadyConverted().isEmpty()) {
      out.println("Already converted by TF-TRT (TRTEngineOp): " + String.join(", ", m.alreadyConverted()));
    }
  }

  private static void printArgs(String label, List<Signature.Argument> args, PrintWriter out) {
    for (Signature.Argument a : args) {
      out.printf("    %s %-12s %-24s %-8s %s%n", label, a.key(), a.tensor().name(), a.tensor().dtypeName(),
          a.tensor().shapeString());
    }
  }
}
