package io.trtfleet.importer;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Signature;
import java.nio.file.Path;
import java.util.List;

/**
 * What import produced: every signature of the chosen MetaGraph, the frozen graph of the chosen
 * signature, and the nodes that were converted by TF-TRT before (TRTEngineOp), if any.
 */
public record ImportedModel(Path modelDir, List<Signature> signatures, FrozenGraph graph,
    List<String> alreadyConverted) {

  public ImportedModel {
    signatures = List.copyOf(signatures);
    alreadyConverted = List.copyOf(alreadyConverted);
  }
}
