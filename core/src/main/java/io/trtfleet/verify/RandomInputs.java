package io.trtfleet.verify;

import io.trtfleet.TrtfleetException;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.graph.Node;
import io.trtfleet.graph.Signature;
import io.trtfleet.graph.TensorRef;
import io.trtfleet.graph.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.tensorflow.proto.DataType;

/**
 * Valid random inputs for any signature ({@code --data random[:SEED]}): every dtype; integer ids within
 * the range of the embedding table they index; strings drawn from the vocabulary of the lookup table
 * they reach (several words when the text is split first); serialized {@code tf.Example}s with every
 * feature a {@code ParseExample}/{@code ParseExampleV2} node reads; sparse inputs as one value per row.
 * Floats are uniform in [0, 1). A leading dimension of -1 is the batch; other unknown dimensions are
 * {@value #DEFAULT_DIM}, an unknown rank is a vector of the batch. Deterministic for a seed.
 */
public final class RandomInputs {

  /** Size of unknown non-batch dimensions. */
  public static final int DEFAULT_DIM = 8;
  private static final Set<String> PASS_THROUGH = Set.of("Identity", "Reshape", "ExpandDims", "Squeeze");

  private final FrozenGraph graph;
  private final Random random;
  private final ValueHints hints;
  private final Map<String, ExampleFeatures> examples = new LinkedHashMap<>();

  private RandomInputs(FrozenGraph graph, long seed) {
    this.graph = graph;
    this.random = new Random(seed);
    this.hints = new ValueHints(graph);
    for (Signature.Argument a : graph.signature().inputs()) {
      if (a.tensor().dtype() == DataType.DT_STRING) {
        Node parse = parser(a.ref());
        ExampleFeatures f = parse == null ? null : ExampleFeatures.of(graph, parse, hints);
        if (f != null) {
          examples.put(a.key(), f);
        }
      }
    }
  }

  public static RandomInputs of(FrozenGraph graph, long seed) {
    return new RandomInputs(graph, seed);
  }

  /**
   * Batches of {@code samples} rows: {@code batchSize} rows each, unless the model fixes its batch (a
   * leading dimension that is not -1: then that many rows) or takes no batch at all (scalars: one sample
   * per batch).
   */
  public List<Verifier.Batch> batches(int samples, int batchSize) {
    if (samples < 1 || batchSize < 1) {
      throw new TrtfleetException("samples and batch size must be at least 1, got " + samples + " and " + batchSize);
    }
    int fixed = fixedRows();
    List<Verifier.Batch> out = new ArrayList<>();
    for (int done = 0; done < samples; ) {
      int rows = fixed > 0 ? fixed : Math.min(batchSize, samples - done);
      out.add(new Verifier.Batch(batch(rows), null, rows));
      done += rows;
    }
    return out;
  }

  /** Rows every batch must have (a fixed leading dimension, 1 for batch-less inputs), 0 when free. */
  private int fixedRows() {
    boolean free = false;
    for (Signature.Argument a : graph.signature().inputs()) {
      long[] s = a.tensor().shape();
      if (isSparseComponent(a) || s == null) {
        free = true;
      } else if (s.length > 0 && s[0] >= 0) {
        return (int) Math.max(1, s[0]);
      } else if (s.length > 0) {
        free = true;
      }
    }
    return free ? 0 : 1;
  }

  /** One batch of inputs, keyed by signature key, with {@code rows} rows where the batch is free. */
  public Map<String, HostTensor> batch(int rows) {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    Set<String> sparse = new HashSet<>();
    for (Signature.SparseInput s : graph.signature().sparseInputs()) {
      sparseInput(s, rows, out);
      sparse.add(s.indices().key());
      sparse.add(s.values().key());
      sparse.add(s.denseShape().key());
    }
    for (Signature.Argument a : graph.signature().inputs()) {
      if (!sparse.contains(a.key())) {
        out.put(a.key(), dense(a, rows));
      }
    }
    return out;
  }

  private HostTensor dense(Signature.Argument a, int rows) {
    long[] shape = concreteShape(a.tensor().shape(), rows);
    int n = (int) HostTensor.elementCount(shape);
    ExampleFeatures f = examples.get(a.key());
    if (f != null) {
      List<byte[]> values = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        values.add(f.example(random));
      }
      return HostTensor.ofStrings(shape, values);
    }
    return values(a.tensor().dtype(), shape, hints.of(a.ref()), a.key());
  }

  private static long[] concreteShape(long[] shape, int rows) {
    if (shape == null) {
      return new long[] {rows};
    }
    long[] s = shape.clone();
    for (int i = 0; i < s.length; i++) {
      if (s[i] < 0) {
        s[i] = i == 0 ? rows : DEFAULT_DIM;
      }
    }
    return s;
  }

  /** One value per row: indices [rows, rank] at column 0, dense shape [rows, 1, ...]. */
  private void sparseInput(Signature.SparseInput s, int rows, Map<String, HostTensor> out) {
    long[] rankShape = s.denseShape().tensor().shape();
    int rank = rankShape != null && rankShape.length == 1 && rankShape[0] > 0 ? (int) rankShape[0] : 2;
    long[] indices = new long[rows * rank];
    for (int r = 0; r < rows; r++) {
      indices[r * rank] = r;
    }
    long[] denseShape = new long[rank];
    java.util.Arrays.fill(denseShape, 1);
    denseShape[0] = rows;
    out.put(s.indices().key(), HostTensor.ofLongs(new long[] {rows, rank}, indices));
    out.put(s.values().key(), values(s.values().tensor().dtype(), new long[] {rows}, hints.of(s.values().ref()),
        s.values().key()));
    out.put(s.denseShape().key(), HostTensor.ofLongs(new long[] {rank}, denseShape));
  }

  private HostTensor values(DataType dtype, long[] shape, ValueHints.Hint hint, String key) {
    int n = (int) HostTensor.elementCount(shape);
    if (dtype == DataType.DT_STRING) {
      List<byte[]> v = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        v.add(RandomValues.text(random, hint));
      }
      return HostTensor.ofStrings(shape, v);
    }
    int size;
    try {
      size = HostTensor.byteSize(dtype);
    } catch (IllegalArgumentException e) {
      throw new TrtfleetException("input '" + key + "' is " + TensorSpec.dtypeName(dtype)
          + ": random data covers numeric, bool and string inputs; feed this model a Parquet data set");
    }
    ByteBuffer b = ByteBuffer.allocate(n * size).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      double x = hint.indexBound() > 0 || !hint.keys().isEmpty() ? RandomValues.integer(random, hint)
          : switch (dtype) {
            case DT_FLOAT, DT_DOUBLE, DT_HALF, DT_BFLOAT16 -> random.nextFloat();
            case DT_BOOL -> random.nextBoolean() ? 1 : 0;
            default -> random.nextInt(RandomValues.DEFAULT_INT_BOUND);
          };
      switch (dtype) {
        case DT_FLOAT -> b.putFloat((float) x);
        case DT_DOUBLE -> b.putDouble(x);
        case DT_INT32, DT_UINT32 -> b.putInt((int) x);
        case DT_INT64, DT_UINT64 -> b.putLong((long) x);
        case DT_INT16, DT_UINT16 -> b.putShort((short) x);
        case DT_INT8, DT_UINT8, DT_BOOL -> b.put((byte) x);
        default -> throw new TrtfleetException("input '" + key + "' is " + TensorSpec.dtypeName(dtype)
            + ": random data covers float32/64, integers, bool and string inputs; feed this model a Parquet data set");
      }
    }
    return new HostTensor(dtype, shape, b.array());
  }

  private static boolean isSparseComponent(Signature.Argument a) {
    return a.key().endsWith(Signature.SPARSE_INDICES) || a.key().endsWith(Signature.SPARSE_VALUES)
        || a.key().endsWith(Signature.SPARSE_DENSE_SHAPE);
  }

  /** The ParseExample node reading a string input directly or through reshapes. */
  private Node parser(TensorRef input) {
    Deque<String> work = new ArrayDeque<>(List.of(input.node()));
    Set<String> seen = new HashSet<>();
    while (!work.isEmpty()) {
      String name = work.pop();
      if (!seen.add(name)) {
        continue;
      }
      for (String user : graph.consumers(name)) {
        Node n = graph.node(user);
        if (n.op().startsWith("ParseExample")) {
          return n;
        }
        if (PASS_THROUGH.contains(n.op())) {
          work.add(n.name());
        }
      }
    }
    return null;
  }
}
