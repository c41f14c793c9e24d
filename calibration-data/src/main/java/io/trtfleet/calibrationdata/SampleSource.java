package io.trtfleet.calibrationdata;

/**
 * Samples read from a file for import into a calibration set: {@link #size()} samples of
 * {@link #sampleSize()} float32 values each (row-major, the per-sample shape {@link #sampleShape()}),
 * with an optional integer class label per sample. Sources hold their raw data and convert one sample
 * at a time, so a 60,000-image IDX file stays 47 MB of bytes rather than 188 MB of floats.
 */
public interface SampleSource {

  /** The file(s) the samples come from, for messages and provenance. */
  String description();

  int size();

  /** The per-sample shape the source implies (no batch dimension); an import may reshape it. */
  long[] sampleShape();

  /** Values per sample: the product of {@link #sampleShape()}. */
  int sampleSize();

  /** Writes sample {@code index}, converted to float32 (and scaled, see the source), into {@code out[0..sampleSize)}. */
  void copySample(int index, float[] out);

  boolean hasLabels();

  /** The class label of sample {@code index}; only when {@link #hasLabels()}. */
  int label(int index);

  /** All labels in sample order (a copy); only when {@link #hasLabels()}. */
  default int[] labels() {
    if (!hasLabels()) {
      throw new IllegalStateException(description() + " has no labels");
    }
    int[] labels = new int[size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = label(i);
    }
    return labels;
  }
}
