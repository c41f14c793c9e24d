package io.trtfleet.verify;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.TensorRef;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.proto.TensorProto;

/**
 * What valid values of a tensor look like, read off the graph downstream of it: integer ids must index
 * the embedding table a Gather reads (ids in [0, rows)), keys should be ones a lookup table holds, and
 * text split into words before a lookup should be several such keys. Random inputs built from these hints
 * exercise embeddings and vocabularies instead of token 0 and out-of-vocabulary strings only.
 */
final class ValueHints {

  /** How far downstream to look (ops between an input and the Gather or lookup that reads it). */
  private static final int MAX_DEPTH = 40;

  /** @param indexBound ids must be below it (0 = no bound found); {@code keys}: table keys to draw from */
  record Hint(long indexBound, List<TensorProto> keys, boolean words) {
    static final Hint NONE = new Hint(0, List.of(), false);
  }

  private final FrozenGraph graph;

  ValueHints(FrozenGraph graph) {
    this.graph = graph;
  }

  /** The hint for a tensor: the first Gather (indices) or table lookup (keys) it reaches. */
  Hint of(TensorRef tensor) {
    Deque<TensorRef> work = new ArrayDeque<>(List.of(tensor));
    Deque<Integer> depth = new ArrayDeque<>(List.of(0));
    Set<String> seen = new HashSet<>();
    boolean words = false;
    while (!work.isEmpty()) {
      TensorRef t = work.pop();
      int d = depth.pop();
      if (d > MAX_DEPTH || !seen.add(t.tensorName())) {
        continue;
      }
      for (String user : graph.consumers(t.node())) {
        Node n = graph.node(user);
        List<TensorRef> in = n.dataInputs();
        for (int i = 0; i < in.size(); i++) {
          if (!in.get(i).equals(t)) {
            continue;
          }
          Optional<Hint> found = readAt(n, i, words);
          if (found.isPresent()) {
            return found.get();
          }
        }
        words |= n.op().startsWith("StringSplit");
        for (int o = 0; o < n.outputs().size(); o++) {
          work.add(TensorRef.of(n.name(), o));
          depth.add(d + 1);
        }
      }
    }
    return Hint.NONE;
  }

  private Optional<Hint> readAt(Node n, int input, boolean words) {
    if ((n.op().equals("GatherV2") || n.op().equals("ResourceGather")) && input == 1) {
      long[] params = graph.tensor(n.dataInputs().get(0)).shape();
      long axis = n.op().equals("GatherV2")
          ? graph.constInts(n.dataInputs().get(2)).filter(a -> a.length == 1).map(a -> a[0]).orElse(0L) : 0;
      if (params != null && params.length > 0) {
        long rows = params[(int) (axis < 0 ? axis + params.length : axis)];
        if (rows > 0) {
          return Optional.of(new Hint(rows, List.of(), false));
        }
      }
    }
    if (n.op().startsWith("LookupTableFind") && input == 1) {
      List<TensorProto> keys = tableKeys(n.dataInputs().get(0).node());
      if (!keys.isEmpty()) {
        return Optional.of(new Hint(0, keys, words));
      }
    }
    return Optional.empty();
  }

  /** The keys a table is initialized with (the importer rebuilds every table from constants). */
  private List<TensorProto> tableKeys(String table) {
    List<TensorProto> out = new ArrayList<>();
    for (String user : graph.consumers(table)) {
      Node init = graph.node(user);
      if (init.op().startsWith("InitializeTable") && init.dataInputs().size() > 1) {
        graph.node(init.dataInputs().get(1).node()).attr("value").ifPresent(v -> out.add(v.getTensor()));
      }
    }
    return out;
  }
}
