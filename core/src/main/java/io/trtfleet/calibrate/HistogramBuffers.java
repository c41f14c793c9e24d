package io.trtfleet.calibrate;

import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;

import io.trtfleet.tensorrt.TensorRt;
import org.bytedeco.javacpp.Pointer;

/**
 * The device memory the histogram kernels write per calibration tensor: the max|x| words of pass 1,
 * {@code bins} counts and the statistics words of pass 2. Allocated once per collector.
 */
final class HistogramBuffers implements AutoCloseable {

  final Pointer maxWords = new Pointer();
  final Pointer counts = new Pointer();
  final Pointer stats = new Pointer();
  private final int tensors;
  private final int bins;

  HistogramBuffers(int tensors, int bins) {
    this.tensors = Math.max(1, tensors);
    this.bins = bins;
    try {
      TensorRt.check(cudaMalloc(maxWords, maxWordsBytes()), "cudaMalloc(max words)");
      TensorRt.check(cudaMalloc(counts, countsBytes()), "cudaMalloc(histogram counts)");
      TensorRt.check(cudaMalloc(stats, statsBytes()), "cudaMalloc(histogram stats)");
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  long maxWordsBytes() {
    return (long) tensors * HistogramKernels.ABS_MAX_WORDS * 4;
  }

  long countsBytes() {
    return (long) tensors * bins * 8;
  }

  long statsBytes() {
    return (long) tensors * HistogramKernels.STAT_WORDS * 8;
  }

  Pointer maxWordsOf(int tensor) {
    return at(maxWords, (long) tensor * HistogramKernels.ABS_MAX_WORDS * 4);
  }

  Pointer countsOf(int tensor) {
    return at(counts, (long) tensor * bins * 8);
  }

  Pointer statsOf(int tensor) {
    return at(stats, (long) tensor * HistogramKernels.STAT_WORDS * 8);
  }

  /** A device address {@code bytes} past {@code base}. */
  static Pointer at(Pointer base, long bytes) {
    // Not named `address`: inside the anonymous class that name is Pointer's own field, and
    // `address = address` would silently keep the base address (every tensor counted into the first).
    long target = base.address() + bytes;
    return new Pointer(base) {
      {
        address = target;
      }
    };
  }

  /** Frees what was allocated; throws the first cudaFree failure after trying them all. */
  @Override
  public void close() {
    IllegalStateException failure = null;
    for (Pointer p : new Pointer[] {maxWords, counts, stats}) {
      if (!p.isNull()) {
        int rc = cudaFree(p);
        if (rc != 0 && failure == null) {
          failure = new IllegalStateException("cudaFree failed: CUDA error " + rc);
        }
        p.setNull();
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
