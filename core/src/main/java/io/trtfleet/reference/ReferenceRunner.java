package io.trtfleet.reference;

import io.trtfleet.Messages;
import io.trtfleet.TrtfleetException;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.Signature;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.importer.OpRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.Graph;
import org.tensorflow.RawTensor;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/**
 * FP32 reference execution of a frozen graph on the CPU with TensorFlow Java: feed a batch, fetch any
 * set of tensors by name (signature outputs or intermediate activations). Every native tensor is
 * closed before a call returns, so a runner can serve thousands of batches in bounded memory.
 * Not thread-safe: use one runner per thread (a Spark task holds its own).
 */
public final class ReferenceRunner implements AutoCloseable {

  private final FrozenGraph frozen;
  private final ConfigProto config;
  /** One session per set of fetched and fed nodes, over the part of the graph that set needs. */
  private final Map<String, Opened> sessions = new java.util.HashMap<>();

  private record Opened(Graph graph, Session session) {}

  public ReferenceRunner(FrozenGraph frozen) {
    this(frozen, 0);
  }

  /** @param threads intra-op threads for TensorFlow; 0 lets TensorFlow choose */
  public ReferenceRunner(FrozenGraph frozen, int threads) {
    this(frozen, threads > 0
        ? ConfigProto.newBuilder().setIntraOpParallelismThreads(threads).setInterOpParallelismThreads(1).build()
        : ConfigProto.getDefaultInstance());
  }

  /** With a session configuration of its own (tests turn Grappler off to compare bit for bit). */
  public ReferenceRunner(FrozenGraph frozen, ConfigProto config) {
    for (Node n : frozen.nodes()) {
      if (!OpRegistry.get().isRunnable(n.op()) && !isFunction(frozen, n.op())) {
        throw new TrtfleetException("node '" + n.name() + "' is a " + n.op() + ", which TensorFlow "
            + org.tensorflow.TensorFlow.version() + " cannot run: reference execution needs the original"
            + " (unconverted) SavedModel");
      }
    }
    this.frozen = frozen;
    this.config = config;
  }

  private static boolean isFunction(FrozenGraph g, String op) {
    return g.graphDef().getLibrary().getFunctionList().stream().anyMatch(f -> f.getSignature().getName().equals(op));
  }

  /**
   * Runs one batch. Feeds and fetches are tensor names ({@code images:0}, {@code conv1/Relu:0});
   * the result keeps the order of {@code fetches}. Only the nodes the fetches need are given to
   * TensorFlow, so an op this TensorFlow has no kernel for elsewhere in the model does not stop them.
   */
  public Map<String, HostTensor> run(Map<String, HostTensor> feeds, List<String> fetches) {
    List<String> computed = new java.util.ArrayList<>();
    for (String f : fetches) {
      frozen.tensor(TensorRef.parse(f));  // fails with the tensor's name when it is not in the graph
      if (!feeds.containsKey(f)) {  // TensorFlow refuses to fetch what is fed: it is the feed
        computed.add(f);
      }
    }
    Map<String, HostTensor> byName = new java.util.HashMap<>();
    if (!computed.isEmpty()) {
      Set<String> fedNodes = new TreeSet<>();
      feeds.keySet().forEach(f -> fedNodes.add(TensorRef.parse(f).node()));
      Set<String> needed = needed(computed, fedNodes);
      Session session = session(needed);
      Map<String, Tensor> fed = new LinkedHashMap<>();
      try {
        Session.Runner runner = session.runner();
        for (Map.Entry<String, HostTensor> e : feeds.entrySet()) {
          TensorRef ref = TensorRef.parse(e.getKey());
          if (needed.contains(ref.node())) {
            Tensor t = toTensor(e.getValue());
            fed.put(e.getKey(), t);
            runner.feed(ref.node(), ref.index(), t);
          }
        }
        computed.forEach(f -> runner.fetch(TensorRef.parse(f).node(), TensorRef.parse(f).index()));
        try (Result result = runner.run()) {
          for (int i = 0; i < computed.size(); i++) {
            byName.put(computed.get(i), toHost(result.get(i)));
          }
        }
      } catch (TrtfleetException e) {
        throw e;
      } catch (RuntimeException e) { // TensorFlow's errors (TFInvalidArgumentException is no TensorFlowException)
        throw new TrtfleetException("TensorFlow " + org.tensorflow.TensorFlow.version() + " cannot run signature '"
            + frozen.signature().key() + "' on these inputs: " + Messages.oneLine(e.getMessage()), e);
      } finally {
        fed.values().forEach(Tensor::close);
      }
    }
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (String f : fetches) {
      out.put(f, byName.containsKey(f) ? byName.get(f) : feeds.get(f));
    }
    return out;
  }

  /** The nodes the fetches depend on, not looking past fed nodes; with the table initializers they read. */
  private Set<String> needed(List<String> fetches, Set<String> fed) {
    Set<String> needed = new TreeSet<>();
    java.util.Deque<String> work = new java.util.ArrayDeque<>();
    fetches.forEach(f -> work.add(TensorRef.parse(f).node()));
    boolean tables = false;
    while (!work.isEmpty()) {
      String name = work.pop();
      if (needed.add(name)) {
        Node n = frozen.node(name);
        tables |= n.op().equals("HashTableV2");
        if (!fed.contains(name)) {
          n.inputs().forEach(r -> work.add(r.node()));
        }
      }
    }
    if (tables && frozen.initOp().isPresent()) {
      work.add(frozen.initOp().get());
      while (!work.isEmpty()) {
        String name = work.pop();
        if (needed.add(name)) {
          frozen.node(name).inputs().forEach(r -> work.add(r.node()));
        }
      }
    }
    return needed;
  }

  private Session session(Set<String> needed) {
    String key = String.join("\n", needed);
    Opened open = sessions.get(key);
    if (open != null) {
      return open.session();
    }
    org.tensorflow.proto.GraphDef.Builder def = frozen.graphDef().toBuilder().clearNode();
    frozen.graphDef().getNodeList().stream().filter(n -> needed.contains(n.getName())).forEach(def::addNode);
    Graph graph = new Graph();
    Session session = null;
    try {
      graph.importGraphDef(def.build());
      session = new Session(graph, config);
      if (needed.contains(FrozenGraph.INIT_OP)) {
        session.runner().addTarget(FrozenGraph.INIT_OP).run();
      }
    } catch (RuntimeException e) {
      if (session != null) {
        session.close();
      }
      graph.close();
      throw new TrtfleetException("TensorFlow " + org.tensorflow.TensorFlow.version() + " cannot load signature '"
          + frozen.signature().key() + "': " + Messages.oneLine(e.getMessage()), e);
    }
    sessions.put(key, new Opened(graph, session));
    return session;
  }

  /** Runs the signature: inputs and outputs keyed by the signature's argument keys. */
  public Map<String, HostTensor> runSignature(Map<String, HostTensor> inputsByKey) {
    Signature sig = frozen.signature();
    Map<String, HostTensor> feeds = new LinkedHashMap<>();
    for (Signature.Argument a : sig.inputs()) {
      HostTensor t = inputsByKey.get(a.key());
      if (t == null) {
        throw new TrtfleetException("signature '" + sig.key() + "' needs input '" + a.key() + "'");
      }
      feeds.put(a.tensor().name(), t);
    }
    List<String> fetches = sig.outputs().stream().map(a -> a.tensor().name()).toList();
    Map<String, HostTensor> byName = run(feeds, fetches);
    Map<String, HostTensor> out = new LinkedHashMap<>();
    sig.outputs().forEach(a -> out.put(a.key(), byName.get(a.tensor().name())));
    return out;
  }

  /** A TensorFlow tensor holding a host tensor (the caller closes it). */
  public static Tensor toTensor(HostTensor t) {
    if (t.dtype() == DataType.DT_STRING) {
      return TString.tensorOfBytes(Shape.of(t.shape()), DataBuffers.ofObjects(t.strings().toArray(byte[][]::new)));
    }
    Class<? extends TType> type = typeClass(t.dtype());
    return Tensor.of(type, Shape.of(t.shape()), DataBuffers.of(t.data(), true, false));
  }

  /** A host copy of a TensorFlow tensor. */
  public static HostTensor toHost(Tensor t) {
    if (t.dataType() == DataType.DT_STRING) {
      List<byte[]> values = new java.util.ArrayList<>();
      ((TString) t).asBytes().scalars().forEach(s -> values.add(s.getObject()));
      return HostTensor.ofStrings(t.shape().asArray(), values);
    }
    RawTensor raw = t.asRawTensor();
    byte[] bytes = new byte[(int) raw.numBytes()];
    raw.data().read(bytes);
    return new HostTensor(t.dataType(), t.shape().asArray(), bytes);
  }

  private static Class<? extends TType> typeClass(DataType dtype) {
    return switch (dtype) {
      case DT_FLOAT -> TFloat32.class;
      case DT_DOUBLE -> TFloat64.class;
      case DT_HALF -> TFloat16.class;
      case DT_INT32 -> TInt32.class;
      case DT_INT64 -> TInt64.class;
      case DT_UINT8 -> TUint8.class;
      case DT_UINT16 -> org.tensorflow.types.TUint16.class;
      case DT_BOOL -> TBool.class;
      default -> throw new TrtfleetException("cannot feed a " + dtype + " tensor to the reference runner");
    };
  }

  @Override
  public void close() {
    for (Opened o : sessions.values()) {
      try {
        o.session().close();
      } finally {
        o.graph().close();
      }
    }
    sessions.clear();
  }
}
