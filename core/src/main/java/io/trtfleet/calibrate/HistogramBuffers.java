package io.trtfleet.calibrate;

import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaFreeHost;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMallocHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;

import io.trtfleet.tensorrt.TensorRt;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The memory the histogram kernels use, allocated once per collector: on the device the launch table,
 * the max|x| words of pass 1, {@code bins} counts and the statistics words of pass 2 per calibration
 * tensor; on the host page-locked mirrors that the table is uploaded from and the results come back to
 * (asynchronous copies on the runner's stream need page-locked memory). The collector reads or writes a
 * host mirror only while no copy of it is in flight (after synchronizing the stream).
 */
final class HistogramBuffers implements AutoCloseable {

  final Pointer maxWords = new Pointer();
  final Pointer counts = new Pointer();
  final Pointer stats = new Pointer();
  final Pointer table = new Pointer();
  final IntPointer hostMaxWords;
  final LongPointer hostCounts;
  final LongPointer hostStats;
  private final LongPointer hostTable;
  private final List<Pointer> pinned = new ArrayList<>();
  private final int tensors;
  private final int bins;
  private long[] uploadedTable = new long[0];

  HistogramBuffers(int tensors, int bins) {
    this.tensors = Math.max(1, tensors);
    this.bins = bins;
    try {
      TensorRt.check(cudaMalloc(maxWords, maxWordsBytes()), "cudaMalloc(max words)");
      TensorRt.check(cudaMalloc(counts, countsBytes()), "cudaMalloc(histogram counts)");
      TensorRt.check(cudaMalloc(stats, statsBytes()), "cudaMalloc(histogram stats)");
      TensorRt.check(cudaMalloc(table, tableBytes()), "cudaMalloc(launch table)");
      hostMaxWords = new IntPointer(pinned(maxWordsBytes(), "max words")).capacity(maxWordsBytes() / 4);
      hostCounts = new LongPointer(pinned(countsBytes(), "histogram counts")).capacity(countsBytes() / 8);
      hostStats = new LongPointer(pinned(statsBytes(), "histogram stats")).capacity(statsBytes() / 8);
      hostTable = new LongPointer(pinned(tableBytes(), "launch table")).capacity(tableBytes() / 8);
    } catch (RuntimeException e) {
      throw TensorRt.closedAfter(e, this::close);
    }
  }

  private Pointer pinned(long bytes, String what) {
    Pointer p = new Pointer();
    TensorRt.check(cudaMallocHost(p, bytes), "cudaMallocHost(" + what + ")");
    pinned.add(p);
    return p;
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

  long tableBytes() {
    return (long) tensors * HistogramKernels.JOB_WORDS * 8;
  }

  /**
   * Enqueues the upload of a launch table on {@code stream}, unless the device already holds the same
   * one (shapes, ranges and buffers unchanged since the last batch). Call only when no earlier upload
   * is in flight.
   */
  void uploadTable(long[] words, CUstream_st stream) {
    if (words.length * 8L > tableBytes()) {
      throw new IllegalArgumentException("launch table of " + words.length + " words exceeds " + tensors + " tensors");
    }
    if (Arrays.equals(words, uploadedTable)) {
      return;
    }
    hostTable.position(0).put(words);
    uploadedTable = new long[0];  // until the copy is enqueued
    TensorRt.check(cudaMemcpyAsync(table, hostTable, words.length * 8L, cudaMemcpyHostToDevice, stream),
        "copy launch table to GPU");
    uploadedTable = words.clone();
  }

  /** Frees what was allocated; throws the first failure after trying them all. */
  @Override
  public void close() {
    IllegalStateException failure = null;
    for (Pointer p : new Pointer[] {maxWords, counts, stats, table}) {
      if (!p.isNull()) {
        int rc = cudaFree(p);
        if (rc != 0 && failure == null) {
          failure = new IllegalStateException("cudaFree failed: CUDA error " + rc);
        }
        p.setNull();
      }
    }
    for (Pointer p : pinned) {
      int rc = cudaFreeHost(p);
      if (rc != 0 && failure == null) {
        failure = new IllegalStateException("cudaFreeHost failed: CUDA error " + rc);
      }
    }
    pinned.clear();
    if (failure != null) {
      throw failure;
    }
  }
}
