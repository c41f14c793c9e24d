package io.trtfleet.segment;

import io.trtfleet.graph.Signature;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.graph.TensorSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Step 5 of segmentation: turns the kept clusters into {@link Segment}s. A segment's inputs are the
 * tensors it reads from outside (Consts excepted: they are copied in), in the order its nodes and their
 * inputs first read them; its outputs are its tensors read outside it or named by the signature, by node
 * order then output index.
 */
final class SegmentAssembler {

  private final IndexedGraph g;
  private final Partition partition;
  private final boolean[] copyableConst;

  SegmentAssembler(Partition partition, boolean[] copyableConst) {
    this.g = partition.graph;
    this.partition = partition;
    this.copyableConst = copyableConst;
  }

  /** A Const outside every segment that TensorRT accepts is copied into the engines that read it. */
  boolean isCopiedConst(int node) {
    return copyableConst[node] && partition.cluster[node] == Partition.NONE;
  }

  /** True when the cluster reads a tensor computed at run time outside it. */
  boolean hasInput(List<Integer> members) {
    int id = partition.cluster[members.get(0)];
    for (int m : members) {
      for (int p : g.producers(m)) {
        if (!partition.inCluster(p, id) && !isCopiedConst(p)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The segment of a kept cluster; {@code copied} receives the names of the Consts copied in. */
  Segment assemble(String name, List<Integer> members, List<String> copied) {
    int id = partition.cluster[members.get(0)];
    TreeSet<Integer> all = new TreeSet<>(members);
    Map<String, TensorSpec> inputs = new LinkedHashMap<>();
    for (int m : members) {
      for (TensorRef ref : g.node(m).dataInputs()) {
        int p = g.indexOf(ref);
        if (partition.inCluster(p, id)) {
          continue;
        }
        if (isCopiedConst(p)) {
          if (all.add(p)) {
            copied.add(g.node(p).name());
          }
        } else {
          inputs.putIfAbsent(ref.tensorName(), g.graph().tensor(ref));
        }
      }
    }
    List<String> names = all.stream().map(i -> g.node(i).name()).toList();
    return new Segment(name, names, List.copyOf(inputs.values()), outputs(members, id));
  }

  private List<TensorSpec> outputs(List<Integer> members, int id) {
    TreeMap<Integer, TreeSet<Integer>> used = new TreeMap<>();
    for (int m : members) {
      String name = g.node(m).name();
      for (int c : g.consumers(m)) {
        if (partition.inCluster(c, id)) {
          continue;
        }
        for (TensorRef ref : g.node(c).dataInputs()) {
          if (ref.node().equals(name)) {
            used.computeIfAbsent(m, k -> new TreeSet<>()).add(ref.index());
          }
        }
      }
    }
    Set<Integer> memberSet = new HashSet<>(members);
    for (Signature.Argument a : g.graph().signature().outputs()) {
      int m = g.indexOf(a.ref());
      if (memberSet.contains(m)) {
        used.computeIfAbsent(m, k -> new TreeSet<>()).add(a.ref().index());
      }
    }
    List<TensorSpec> out = new ArrayList<>();
    used.forEach((m, outs) -> outs.forEach(k -> out.add(g.node(m).output(k))));
    return out;
  }
}
