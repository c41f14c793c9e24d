package io.trtfleet.importer;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.FunctionDefLibrary;
import org.tensorflow.proto.NodeDef;

/** Which library functions a set of nodes needs: called by op name or named in func / list(func) attrs. */
final class FunctionLibrary {

  private FunctionLibrary() {}

  /** Functions the nodes call, directly or through other functions, in the order first reached. */
  static List<FunctionDef> reachable(FunctionDefLibrary library, Collection<NodeDef> roots) {
    Map<String, FunctionDef> byName = new HashMap<>();
    library.getFunctionList().forEach(f -> byName.put(f.getSignature().getName(), f));
    return reachable(byName, roots);
  }

  static List<FunctionDef> reachable(Map<String, FunctionDef> library, Collection<NodeDef> roots) {
    Map<String, FunctionDef> reached = new LinkedHashMap<>();
    Deque<NodeDef> work = new ArrayDeque<>(roots);
    while (!work.isEmpty()) {
      NodeDef n = work.pop();
      called(n).map(library::get)
          .filter(f -> f != null && reached.putIfAbsent(f.getSignature().getName(), f) == null)
          .forEach(f -> work.addAll(f.getNodeDefList()));
    }
    return List.copyOf(reached.values());
  }

  /** Names a node may call: its op (a library function) and every function in its attributes. */
  static Stream<String> called(NodeDef n) {
    return Stream.concat(Stream.of(n.getOp()), n.getAttrMap().values().stream().flatMap(FunctionLibrary::functions));
  }

  private static Stream<String> functions(AttrValue a) {
    if (a.hasFunc()) {
      return Stream.of(a.getFunc().getName());
    }
    return a.hasList() ? a.getList().getFuncList().stream().map(f -> f.getName()) : Stream.empty();
  }

  /** The function with its body's device placements cleared (GPU-pinned models run on the CPU). */
  static FunctionDef withoutDevices(FunctionDef f) {
    FunctionDef.Builder b = f.toBuilder();
    b.getNodeDefBuilderList().forEach(NodeDef.Builder::clearDevice);
    return b.build();
  }
}
