package io.trtfleet.quantize;

import io.trtfleet.calibrate.ActivationCollector;
import io.trtfleet.calibrate.GpuActivationCollector;
import io.trtfleet.graph.HostTensor;
import java.util.Map;

/**
 * What a calibration task runs per batch, whichever device computes the activations: pass 1
 * {@link #ranges} (max |x| per tensor over the first {@code valid} samples; merged by max), pass 2
 * {@link #accumulate} (counts into histograms whose widths the merged ranges fixed). Implemented by
 * {@link ActivationCollector} (TensorFlow on the CPU) and {@link GpuActivationCollector} (TensorRT FP32
 * plus CUDA histogram kernels). One collector per thread or Spark task.
 */
public interface CalibrationCollector extends AutoCloseable {

  /** Max |x| of each tensor over the first {@code valid} samples of a batch keyed by graph input name. */
  Map<String, Float> ranges(Map<String, HostTensor> feeds, int valid);

  /**
   * Counts the first {@code valid} samples of a batch into {@code into}. May return before the counts
   * are in (the GPU collector overlaps the next batch's host work with this one's device work): call
   * {@link #flush} after the last batch; until then {@code into} throws when read.
   */
  void accumulate(Map<String, HostTensor> feeds, int valid, HistogramSet into);

  /** Folds every batch {@link #accumulate} has started into its histograms (no-op when all are in). */
  void flush();

  /** {@code cpu} or {@code gpu}: which collector ran (reported in the calibration output). */
  String device();

  @Override
  void close();
}
