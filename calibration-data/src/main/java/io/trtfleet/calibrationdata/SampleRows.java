package io.trtfleet.calibrationdata;

import io.trtfleet.graph.HostTensor;
import io.trtfleet.verify.Verifier;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Samples collected one at a time (each input a batch-of-one tensor, an optional label), then batched. */
final class SampleRows {

  private final List<Map<String, HostTensor>> rows = new ArrayList<>();
  private final List<Integer> labels = new ArrayList<>();

  void add(Map<String, HostTensor> row, Integer label) {
    rows.add(row);
    if (label != null) {
      labels.add(label);
    }
  }

  int size() {
    return rows.size();
  }

  /** Batches of {@code batchSize} (the last may be smaller); labels only when every row had one. */
  List<Verifier.Batch> batches(int batchSize) {
    boolean labelled = labels.size() == rows.size();
    List<Verifier.Batch> out = new ArrayList<>();
    for (int from = 0; from < rows.size(); from += batchSize) {
      List<Map<String, HostTensor>> part = rows.subList(from, Math.min(rows.size(), from + batchSize));
      Map<String, HostTensor> inputs = new LinkedHashMap<>();
      for (String key : part.get(0).keySet()) {
        HostTensor first = part.get(0).get(key);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(first.data().length * part.size());
        part.forEach(r -> bytes.writeBytes(r.get(key).data()));
        long[] shape = first.shape();
        shape[0] = part.size();
        inputs.put(key, new HostTensor(first.dtype(), shape, bytes.toByteArray()));
      }
      int[] l = labelled ? labels.subList(from, from + part.size()).stream().mapToInt(Integer::intValue).toArray()
          : null;
      out.add(new Verifier.Batch(inputs, l));
    }
    return out;
  }
}
