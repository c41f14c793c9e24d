package io.trtfleet.testing;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.quantize.CalibrationTable;
import io.trtfleet.quantize.QuantizationTargets;
import io.trtfleet.reference.ReferenceRunner;
import io.trtfleet.segment.Segment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Min-max calibration for tests: amax = max |x| of each quantization target over the given batches (inputs by tensor name). */
public final class MinMaxTables {

  private MinMaxTables() {}

  public static CalibrationTable of(FrozenGraph g, Segment segment, List<Map<String, HostTensor>> batches) {
    List<String> targets = QuantizationTargets.of(g, segment);
    Map<String, Float> amax = new HashMap<>();
    try (ReferenceRunner tf = new ReferenceRunner(g, 2)) {
      for (Map<String, HostTensor> batch : batches) {
        Map<String, HostTensor> values = new HashMap<>(batch); // TensorFlow will not fetch what is fed
        List<String> fetch = targets.stream().filter(t -> !batch.containsKey(t)).toList();
        values.putAll(tf.run(batch, fetch));
        for (String name : targets) {
          float m = 0;
          for (float v : values.get(name).floats()) {
            m = Math.max(m, Math.abs(v));
          }
          amax.merge(name, m, Math::max);
        }
      }
    }
    return CalibrationTable.fromAmax("TRT-100600-MinMaxCalibration", amax);
  }
}
