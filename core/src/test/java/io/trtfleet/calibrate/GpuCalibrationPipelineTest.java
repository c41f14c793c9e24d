package io.trtfleet.calibrate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.quantize.AbsHistogram;
import io.trtfleet.quantize.HistogramSet;
import io.trtfleet.quantize.QuantizationTargets;
import io.trtfleet.tensorrt.TensorRt;
import io.trtfleet.testing.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a GPU: the pipelined pass 2 counts exactly what a batch-by-batch one does, and a caller that
 * forgets {@code flush()} cannot read its histograms. Skipped, with the reason, where there is no GPU.
 */
class GpuCalibrationPipelineTest {

  @Test
  void pipelinedCountsEqualBatchByBatchCountsAndAForgottenFlushFails(@TempDir Path tmp) {
    TensorRt.unavailableReason().ifPresent(why -> Assumptions.abort("no GPU here (" + why
        + "): the pipelined GPU collector is checked on a GPU host"));
    FrozenGraph g = SavedModelImporter.importModel(ImportOptions.of(TestModels.cnn(tmp.resolve("cnn")))).graph();
    String input = g.signature().inputs().get(0).tensor().name();
    List<String> targets = QuantizationTargets.of(g);
    Random r = new Random(22);
    List<Map<String, HostTensor>> batches = new ArrayList<>();
    for (int b = 0; b < 4; b++) {
      float[] x = new float[8 * 28 * 28];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) r.nextGaussian();
      }
      batches.add(Map.of(input, HostTensor.ofFloats(new long[] {8, 28, 28, 1}, x)));
    }
    try (GpuActivationCollector gpu = GpuActivationCollector.forGraph(g, targets, 0, 8)) {
      Map<String, Float> ranges = gpu.ranges(batches.get(0), 8);
      HistogramSet pipelined = HistogramSet.withRanges(targets, ranges, AbsHistogram.DEFAULT_BINS);
      HistogramSet oneByOne = HistogramSet.withRanges(targets, ranges, AbsHistogram.DEFAULT_BINS);
      for (int b = 0; b < batches.size(); b++) {
        gpu.accumulate(batches.get(b), b == 3 ? 5 : 8, pipelined);
      }
      assertThrows(IllegalStateException.class, pipelined::samples, "the last batch is still in flight");
      gpu.flush();
      for (int b = 0; b < batches.size(); b++) {
        gpu.accumulate(batches.get(b), b == 3 ? 5 : 8, oneByOne);
        gpu.flush();
      }
      assertEquals(29, pipelined.samples());
      assertEquals(29, oneByOne.samples());
      for (String t : targets) {
        assertArrayEquals(oneByOne.get(t).counts(), pipelined.get(t).counts(), t);
        assertEquals(oneByOne.get(t).min(), pipelined.get(t).min(), t);
        assertEquals(oneByOne.get(t).absMax(), pipelined.get(t).absMax(), t);
      }
      HistogramSet forgotten = HistogramSet.withRanges(targets, ranges, AbsHistogram.DEFAULT_BINS);
      gpu.accumulate(batches.get(0), 8, forgotten);
      gpu.close();
      assertThrows(IllegalStateException.class, forgotten::samples, "closed without flush: never silently short");
    }
  }
}
