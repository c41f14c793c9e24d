package io.trtfleet.verify;

import io.trtfleet.TrtfleetException;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.reference.ReferenceRunner;
import io.trtfleet.segment.Segment;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TensorFlow's values for some segments of a graph on some batches, computed once: what each segment is
 * fed and what it must output. {@link Verifier#Verifier(Map, RecordedReference)} compares conversions of
 * those segments against them without running TensorFlow again, so dozens of variants of one segment
 * (a sensitivity analysis, a mixed-precision search) cost one reference run. A segment TensorFlow cannot
 * compute here is recorded as unverified, as {@link Verifier} would report it.
 */
public final class RecordedReference {

  private final FrozenGraph graph;
  private final List<Verifier.Batch> batches;
  private final Map<Verifier.Batch, Map<String, HostTensor>> values = new IdentityHashMap<>();
  private final Map<String, String> unverified = new LinkedHashMap<>();

  private RecordedReference(FrozenGraph graph, List<Verifier.Batch> batches) {
    this.graph = graph;
    this.batches = List.copyOf(batches);
  }

  /** Runs TensorFlow on every batch for the segments' computed inputs and outputs. */
  public static RecordedReference record(FrozenGraph graph, List<Segment> segments, List<Verifier.Batch> batches,
      int threads) {
    RecordedReference r = new RecordedReference(graph, batches);
    try (ReferenceRunner tf = new ReferenceRunner(graph, threads)) {
      for (Verifier.Batch batch : batches) {
        Map<String, HostTensor> feeds = Verifier.feeds(graph, batch);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        Set<String> all = new LinkedHashSet<>();
        segments.forEach(s -> all.addAll(Verifier.fetches(s, feeds.keySet())));
        try {
          out.putAll(tf.run(feeds, List.copyOf(all)));
        } catch (TrtfleetException e) {
          // Part of the model does not run here: record each segment whose tensors still compute.
          for (Segment s : segments) {
            if (r.unverified.containsKey(s.name())) {
              continue;
            }
            try {
              out.putAll(tf.run(feeds, List.copyOf(Verifier.fetches(s, feeds.keySet()))));
            } catch (TrtfleetException segmentError) {
              r.unverified.put(s.name(), segmentError.getMessage());
            }
          }
        }
        r.values.put(batch, out);
      }
    }
    return r;
  }

  /** The first batches holding at most {@code samples} samples (at least one batch), sharing this recording. */
  public RecordedReference limit(long samples) {
    List<Verifier.Batch> first = new ArrayList<>();
    long n = 0;
    for (Verifier.Batch b : batches) {
      if (!first.isEmpty() && n + b.rows() > samples) {
        break;
      }
      first.add(b);
      n += b.rows();
    }
    RecordedReference r = new RecordedReference(graph, first);
    first.forEach(b -> r.values.put(b, values.get(b)));
    r.unverified.putAll(unverified);
    return r;
  }

  FrozenGraph graph() {
    return graph;
  }

  /** The recorded batches, in order: what a verifier over this recording is fed. */
  public List<Verifier.Batch> batches() {
    return batches;
  }

  /** Samples over all batches. */
  public long samples() {
    return batches.stream().mapToLong(Verifier.Batch::rows).sum();
  }

  /** A recorded batch's values; adds the segments TensorFlow could not compute to {@code unverifiedOut}. */
  Map<String, HostTensor> values(Verifier.Batch batch, Map<String, String> unverifiedOut) {
    Map<String, HostTensor> v = values.get(batch);
    if (v == null) {
      throw new IllegalArgumentException("batch of " + batch.rows() + " rows was not recorded: verify the recorded"
          + " batches (" + batches.size() + ")");
    }
    unverified.forEach(unverifiedOut::putIfAbsent);
    return v;
  }

  /** Verifies converted segments (closed afterwards) against the recording, batch by batch. */
  public Verifier.Result verify(Map<Segment, io.trtfleet.graph.ModelRunner> runners) {
    try (Verifier v = new Verifier(runners, this)) {
      batches.forEach(v::add);
      return v.result();
    }
  }

  @Override
  public String toString() {
    return "TensorFlow values of " + samples() + " samples in " + batches.size() + " batches"
        + (unverified.isEmpty() ? "" : ", " + new ArrayList<>(unverified.keySet()) + " not computable");
  }
}
