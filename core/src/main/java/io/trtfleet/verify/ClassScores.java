package io.trtfleet.verify;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The tensors of a graph that hold class scores: what a Softmax or LogSoftmax writes (probabilities) or
 * reads (logits), also through Identity and IdentityN. Top-1 agreement is judged on those only: the
 * arg-max of a regression or feature output (a transformer's [batch, 3] forecast, an embedding) says
 * nothing about its accuracy, and tiny errors flip it.
 */
final class ClassScores {

  private static final Set<String> SOFTMAX = Set.of("Softmax", "LogSoftmax");
  private static final Set<String> PASS_THROUGH = Set.of("Identity", "IdentityN");

  private ClassScores() {}

  static Set<String> of(FrozenGraph graph) {
    Set<String> scores = new HashSet<>();
    for (Node n : graph.nodes()) {
      if (SOFTMAX.contains(n.op()) && !n.dataInputs().isEmpty()) {
        scores.add(TensorRef.of(n.name(), 0).tensorName());
        scores.add(n.dataInputs().get(0).tensorName());
      }
    }
    // Identity chains both ways: a signature output is an Identity of the softmax, a softmax may read an Identity of the logits.
    List<Node> passes = graph.nodes().stream().filter(n -> PASS_THROUGH.contains(n.op())).toList();
    for (boolean grew = true; grew; ) {
      grew = false;
      for (Node n : passes) {
        for (int i = 0; i < n.dataInputs().size(); i++) {
          String in = n.dataInputs().get(i).tensorName();
          String out = TensorRef.of(n.name(), i).tensorName();
          if (scores.contains(in) != scores.contains(out)) {
            scores.add(in);
            scores.add(out);
            grew = true;
          }
        }
      }
    }
    return scores;
  }
}
