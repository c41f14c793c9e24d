package io.trtfleet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.trtfleet.TrtfleetException;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Signature;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.ImportedModel;
import io.trtfleet.importer.SavedModelReader;
import io.trtfleet.importer.SavedModelImporter;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trtfleet inspect}: every MetaGraph's tag set and signatures, then the node count and op
 * histogram of the selected signature's frozen graph. A model without the selected tag set or signature
 * (no serving_default, say) is still listed, with the reason nothing was imported.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "List a SavedModel's tag sets and signatures and print the selected signature's frozen graph ops.")
public final class InspectCommand implements Callable<Integer> {

  @Mixin
  ModelOptions model;

  @Option(names = "--json", description = "print one JSON object instead of text")
  boolean json;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ImportOptions options = model.importOptions();
    SavedModel saved = SavedModelReader.read(options.modelDir());
    Optional<String> notSelectable = notSelectable(saved, options);
    ImportedModel imported = notSelectable.isEmpty() ? SavedModelImporter.importModel(options) : null;
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(toJson(saved, options, imported, notSelectable)));
    } else {
      printMetaGraphs(saved, options, out);
      if (imported != null) {
        printText(imported, out);
      } else {
        out.println("Not imported: " + notSelectable.get());
      }
    }
    out.flush();
    return 0;
  }

  /** Why the options select no signature of the model (no such tag set or signature), if so. */
  private static Optional<String> notSelectable(SavedModel saved, ImportOptions options) {
    try {
      MetaGraphDef mg = SavedModelReader.metaGraph(saved, options.modelDir(), options.tags());
      SavedModelReader.signature(mg, options.modelDir(), options.signatureKey());
      return Optional.empty();
    } catch (TrtfleetException e) {
      return Optional.of(e.getMessage());
    }
  }

  /**
   * The JSON form: keys metagraphs (tags and signatures of each), then for the imported signature
   * signature, signatures, nodes, ops, variables_frozen, already_converted; or not_imported (the reason).
   */
  static Map<String, Object> toJson(SavedModel saved, ImportOptions options, ImportedModel m,
      Optional<String> notImported) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("model", options.modelDir().toString());
    root.put("metagraphs", saved.getMetaGraphsList().stream().map(mg -> {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("tags", mg.getMetaInfoDef().getTagsList());
      j.put("signatures", SavedModelReader.signatures(mg).stream().map(InspectCommand::signatureJson).toList());
      return j;
    }).toList());
    if (m == null) {
      root.put("not_imported", notImported.orElse(""));
      return root;
    }
    FrozenGraph g = m.graph();
    root.put("signature", g.signature().key());
    root.put("signatures", m.signatures().stream().map(InspectCommand::signatureJson).toList());
    root.put("nodes", g.nodes().size());
    root.put("ops", g.opHistogram());
    root.put("variables_frozen", g.variablesFrozen());
    root.put("already_converted", m.alreadyConverted());
    return root;
  }

  private static void printMetaGraphs(SavedModel saved, ImportOptions options, PrintWriter out) {
    out.println("SavedModel: " + options.modelDir());
    out.println("MetaGraphs (" + saved.getMetaGraphsCount() + "):");
    for (MetaGraphDef mg : saved.getMetaGraphsList()) {
      boolean selected = new java.util.HashSet<>(mg.getMetaInfoDef().getTagsList()).equals(options.tags());
      out.println("  tags [" + String.join(",", mg.getMetaInfoDef().getTagsList()) + "]" + (selected ? "  [selected]" : ""));
      for (Signature s : SavedModelReader.signatures(mg)) {
        boolean imported = selected && s.key().equals(options.signatureKey());
        out.println("    " + s.key() + (imported ? "  [imported]" : ""));
        printArgs("inputs ", s.inputs(), out);
        printArgs("outputs", s.outputs(), out);
      }
    }
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
      out.printf("      %s %-12s %-24s %-8s %s%n", label, a.key(), a.tensor().name(), a.tensor().dtypeName(),
          a.tensor().shapeString());
    }
  }
}
