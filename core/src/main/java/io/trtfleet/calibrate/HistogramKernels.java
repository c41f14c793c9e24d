package io.trtfleet.calibrate;

import io.trtfleet.quantize.AbsHistogram;
import io.trtfleet.quantize.NonFiniteActivationException;
import java.util.List;

/**
 * The CUDA kernels of {@link GpuActivationCollector} (compiled at run time with NVRTC) and their Java
 * mirrors, which the CPU tests check against {@link AbsHistogram#add}.
 *
 * <p><b>Binning rule</b> (AbsHistogram's, reproduced exactly): with {@code w} the bin width, {@code B}
 * the initial bins (2048), {@code inv = w > 0 ? 1.0/w : 0} and {@code edge = w*B}, both in double, and
 * {@code a = (double) |x|} (exact for every float, denormals included):
 * <ul>
 *   <li>{@code a <= edge}: bin {@code min((int)(a*inv), B-1)} (the last bin is closed on the right, so
 *       x == range lands in bin B-1);</li>
 *   <li>{@code a > edge}: bin {@code (int)(a*inv)}; AbsHistogram appends bins past B-1. The kernel has
 *       B bins only, so it reports such values as overflow ({@link #binIndex} returns -1) and the host
 *       recounts that tensor's batch with {@link AbsHistogram#add}, exactly.</li>
 * </ul>
 * {@code a*inv} is one IEEE-754 double multiply rounded to nearest, in Java and on the GPU (compiled
 * with {@code --fmad=false}; there is no add to contract anyway), and double to int truncates toward
 * zero in both, so the same float value gets the same bin on both sides. What differs between the CPU
 * and GPU collectors is the activations themselves: TensorRT's FP32 kernels may round differently from
 * TensorFlow's, so a value near a bin edge can land one bin away ("within one bin").
 * Non-finite values are flagged (never counted) and become {@link NonFiniteActivationException}.
 */
public final class HistogramKernels {

  private HistogramKernels() {}

  /** Threads per block (a multiple of the warp size: the kernels reduce with warp shuffles). */
  public static final int BLOCK = 256;
  /** Resident blocks per SM that the grid-stride launch aims for. */
  public static final int BLOCKS_PER_SM = 8;

  /** Name of the pass-1 kernel: max |x| and a non-finite flag, every tensor of a batch in one launch. */
  public static final String ABS_MAX = "trtfleet_abs_max_tensors";
  /** Name of the pass-2 kernel: 2048-bin |x| histograms with per-block shared-memory counts, one launch. */
  public static final String HISTOGRAM = "trtfleet_abs_histogram_tensors";

  /**
   * Layout of the launch table both kernels read: {@link #JOB_WORDS} unsigned long long words per tensor
   * with elements: its device address, element count, 1/width and edge (doubles' bits; unused by
   * pass 1), where its counts start in the counts array (in words), where its result words start
   * (pass 1: in the uint max-words array; pass 2: in the stats array), its first block and block count.
   */
  public static final int JOB_X = 0;
  public static final int JOB_N = 1;
  public static final int JOB_INV = 2;
  public static final int JOB_EDGE = 3;
  public static final int JOB_COUNTS_AT = 4;
  public static final int JOB_RESULT_AT = 5;
  public static final int JOB_FIRST_BLOCK = 6;
  public static final int JOB_BLOCKS = 7;
  public static final int JOB_WORDS = 8;

  /** Layout of the pass-1 result: 4 uints per tensor. */
  public static final int MAX_BITS = 0;
  public static final int NONFINITE = 1;
  public static final int NONFINITE_BITS = 2;
  public static final int ABS_MAX_WORDS = 4;

  /**
   * Layout of the pass-2 statistics: 8 unsigned long long words per tensor, zeroed before the launch:
   * ~{@link #orderedBits}(min) and orderedBits(max) (both merged with atomicMax), the sums as doubles'
   * bits, the overflow count, the non-finite flag and one non-finite value's bits.
   */
  public static final int STAT_MIN = 0;
  public static final int STAT_MAX = 1;
  public static final int STAT_SUM = 2;
  public static final int STAT_SUMSQ = 3;
  public static final int STAT_OVERFLOW = 4;
  public static final int STAT_NONFINITE = 5;
  public static final int STAT_NONFINITE_BITS = 6;
  public static final int STAT_WORDS = 8;

  /** The bin of {@code x}, or -1 when it lies past the kernel's {@code bins} bins; see the class comment. */
  public static int binIndex(float x, double inv, double edge, int bins) {
    if (!Float.isFinite(x)) {
      throw new IllegalArgumentException("non-finite value " + x + " has no bin");
    }
    double a = Math.abs(x);
    double scaled = a * inv;
    if (a <= edge) {
      return Math.min((int) scaled, bins - 1);
    }
    if (scaled >= bins) {
      return -1;
    }
    return (int) scaled;
  }

  /** The kernel's order-preserving uint encoding of a float (for atomicMin/atomicMax on signed floats). */
  public static int orderedBits(float f) {
    int u = Float.floatToRawIntBits(f);
    return (u & 0x80000000) != 0 ? ~u : (u | 0x80000000);
  }

  /** Inverse of {@link #orderedBits}. */
  public static float fromOrderedBits(int o) {
    int u = (o & 0x80000000) != 0 ? (o & 0x7fffffff) : ~o;
    return Float.intBitsToFloat(u);
  }

  /** A 1-D launch: {@code blocks} x {@code threads}, grid-stride over {@code n} elements. */
  public record Launch(int blocks, int threads) {
    /** Elements the busiest thread visits. */
    public long perThread(long n) {
      long stride = (long) blocks * threads;
      return (n + stride - 1) / stride;
    }
  }

  /**
   * Grid for {@code n} elements: one thread per element up to {@code maxBlocks} blocks, then grid-stride.
   * {@code n == 0} launches nothing (null). A block's shared uint counters never overflow since one
   * tensor of one batch holds fewer than 2^31 elements (Java array limit of the host tensor equivalent).
   */
  public static Launch launch(long n, int threads, int maxBlocks) {
    if (n < 0 || threads <= 0 || threads % 32 != 0 || threads > 1024 || maxBlocks <= 0) {
      throw new IllegalArgumentException("bad launch: n=" + n + ", threads=" + threads + ", maxBlocks=" + maxBlocks);
    }
    if (n == 0) {
      return null;
    }
    long blocks = Math.min((n + threads - 1) / threads, maxBlocks);
    return new Launch((int) blocks, threads);
  }

  /** Max blocks for a device with {@code sms} multiprocessors. */
  public static int maxBlocks(int sms) {
    return Math.max(1, sms) * BLOCKS_PER_SM;
  }

  /** Dynamic shared memory of the histogram kernel: one uint counter per bin. */
  public static int sharedBytes(int bins) {
    return bins * 4;
  }

  /**
   * One tensor's share of a multi-tensor launch: the device address of its {@code elements} floats, its
   * bin rule ({@link AbsHistogram#inverseWidth}, {@link AbsHistogram#edge}; 0 for pass 1) and where its
   * counts and result words start.
   */
  public record Job(long address, long elements, double inverseWidth, double edge, long countsAt, long resultAt) {
    public Job {
      if (elements < 0 || countsAt < 0 || resultAt < 0) {
        throw new IllegalArgumentException("bad job: " + elements + " elements, counts at " + countsAt
            + ", result at " + resultAt);
      }
    }
  }

  /**
   * A launch over several tensors: {@code words} (the table, {@link #JOB_WORDS} per job), {@code jobs}
   * rows and a 1-D grid of {@code blocks} blocks. Each tensor gets the blocks {@link #launch} would give
   * it alone, consecutively, so its grid stride is the one of a launch of its own.
   */
  public record Table(long[] words, int jobs, int blocks) {}

  /** The table of {@code jobs} (tensors without elements left out); {@code jobs() == 0}: nothing to launch. */
  public static Table table(List<Job> jobs, int threads, int maxBlocks) {
    long[] words = new long[jobs.size() * JOB_WORDS];
    int rows = 0;
    long blocks = 0;
    for (Job j : jobs) {
      Launch l = launch(j.elements(), threads, maxBlocks);
      if (l == null) {
        continue;
      }
      int at = rows * JOB_WORDS;
      words[at + JOB_X] = j.address();
      words[at + JOB_N] = j.elements();
      words[at + JOB_INV] = Double.doubleToRawLongBits(j.inverseWidth());
      words[at + JOB_EDGE] = Double.doubleToRawLongBits(j.edge());
      words[at + JOB_COUNTS_AT] = j.countsAt();
      words[at + JOB_RESULT_AT] = j.resultAt();
      words[at + JOB_FIRST_BLOCK] = blocks;
      words[at + JOB_BLOCKS] = l.blocks();
      blocks += l.blocks();
      rows++;
    }
    if (blocks > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(blocks + " blocks exceed the grid limit 2^31-1 (" + jobs.size() + " tensors)");
    }
    return new Table(java.util.Arrays.copyOf(words, rows * JOB_WORDS), rows, (int) blocks);
  }

  /** The row of the table that block {@code block} works on: {@code trtfleet_job}, line by line. */
  public static int jobOfBlock(long[] table, int jobs, long block) {
    int lo = 0;
    int hi = jobs - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >> 1;
      if (table[mid * JOB_WORDS + JOB_FIRST_BLOCK] <= block) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /**
   * CUDA C source of both kernels (no headers: NVRTC builtins only). {@code trtfleet_bin} is
   * {@link #binIndex} line by line.
   */
  public static final String SOURCE = """
      // trtfleet calibration kernels (io.trtfleet.calibrate.HistogramKernels); compiled with NVRTC.
      __device__ __forceinline__ bool trtfleet_finite(float v) {
        return (__float_as_uint(v) & 0x7f800000u) != 0x7f800000u;
      }

      // Mirrors HistogramKernels.binIndex / AbsHistogram.add: -1 = past the kernel's bins.
      __device__ __forceinline__ int trtfleet_bin(float v, double inv, double edge, int bins) {
        double a = (double) fabsf(v);
        double scaled = __dmul_rn(a, inv);
        if (a <= edge) {
          int k = (int) scaled;
          return k < bins - 1 ? k : bins - 1;
        }
        if (scaled >= (double) bins) {
          return -1;
        }
        return (int) scaled;
      }

      __device__ __forceinline__ unsigned int trtfleet_ordered(float f) {
        unsigned int u = __float_as_uint(f);
        return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
      }

      // The launch table (HistogramKernels.table): JOB_WORDS = 8 words per tensor: address, n, inv and edge
      // (double bits), counts offset, result offset, first block, blocks. Rows are in block order; the
      // block's row is the last one whose first block is <= blockIdx.x (HistogramKernels.jobOfBlock).
      __device__ __forceinline__ const unsigned long long* trtfleet_job(const unsigned long long* table, int jobs) {
        unsigned long long b = (unsigned long long) blockIdx.x;
        int lo = 0;
        int hi = jobs - 1;
        while (lo < hi) {
          int mid = (lo + hi + 1) >> 1;
          if (table[mid * 8 + 6] <= b) {
            lo = mid;
          } else {
            hi = mid - 1;
          }
        }
        return table + (unsigned long long) lo * 8ull;
      }

      // Pass 1, per tensor: out[0] = bits of max |x| (non-negative floats order like their bits), out[1] = 1
      // when a NaN/Inf was seen, out[2] = the bits of one such value. Every tensor of the batch in one
      // launch: the block's row of the table gives the tensor, its words and its own grid stride.
      extern "C" __global__ void trtfleet_abs_max_tensors(const unsigned long long* __restrict__ table, int jobs,
          unsigned int* __restrict__ maxWords) {
        const unsigned long long* job = trtfleet_job(table, jobs);
        const float* __restrict__ x = (const float*) job[0];
        unsigned long long n = job[1];
        unsigned int* out = maxWords + job[5];
        unsigned long long stride = job[7] * (unsigned long long) blockDim.x;
        unsigned long long first = ((unsigned long long) blockIdx.x - job[6]) * blockDim.x + threadIdx.x;
        float m = 0.0f;
        unsigned int bad = 0u;
        unsigned int badBits = 0u;
        for (unsigned long long i = first; i < n; i += stride) {
          float v = x[i];
          if (trtfleet_finite(v)) {
            m = fmaxf(m, fabsf(v));
          } else {
            bad = 1u;
            badBits = __float_as_uint(v);
          }
        }
        for (int o = 16; o > 0; o >>= 1) {
          m = fmaxf(m, __shfl_down_sync(0xffffffffu, m, o));
        }
        if ((threadIdx.x & 31) == 0) {
          atomicMax(&out[0], __float_as_uint(m));
        }
        if (bad && atomicCAS(&out[1], 0u, 1u) == 0u) {
          out[2] = badBits;
        }
      }

      // Pass 2, per tensor: |x| of its first n elements into `bins` bins (per-block shared counters, merged
      // with atomicAdd into its counts[bins]); its stats[8]: ~ordered min (so that a zeroed word is the
      // identity of atomicMax), ordered max, sum, sum of squares (double bits), overflow count (values
      // past the bins: the host recounts them), non-finite flag and bits. Every tensor in one launch, as
      // pass 1; all threads of a block share its row, so the barriers are uniform.
      extern "C" __global__ void trtfleet_abs_histogram_tensors(const unsigned long long* __restrict__ table,
          int jobs, int bins, unsigned long long* __restrict__ allCounts, unsigned long long* __restrict__ allStats) {
        extern __shared__ unsigned int local[];
        const unsigned long long* job = trtfleet_job(table, jobs);
        const float* __restrict__ x = (const float*) job[0];
        unsigned long long n = job[1];
        double inv = __longlong_as_double((long long) job[2]);
        double edge = __longlong_as_double((long long) job[3]);
        unsigned long long* counts = allCounts + job[4];
        unsigned long long* stats = allStats + job[5];
        unsigned long long stride = job[7] * (unsigned long long) blockDim.x;
        unsigned long long first = ((unsigned long long) blockIdx.x - job[6]) * blockDim.x + threadIdx.x;
        for (int b = threadIdx.x; b < bins; b += blockDim.x) {
          local[b] = 0u;
        }
        __syncthreads();
        unsigned int lo = 0xffffffffu;
        unsigned int hi = 0u;
        double s = 0.0;
        double s2 = 0.0;
        unsigned long long over = 0ull;
        unsigned int bad = 0u;
        unsigned int badBits = 0u;
        for (unsigned long long i = first; i < n; i += stride) {
          float v = x[i];
          if (!trtfleet_finite(v)) {
            bad = 1u;
            badBits = __float_as_uint(v);
            continue;
          }
          int k = trtfleet_bin(v, inv, edge, bins);
          if (k < 0) {
            over++;
          } else {
            atomicAdd(&local[k], 1u);
          }
          unsigned int o = trtfleet_ordered(v);
          lo = o < lo ? o : lo;
          hi = o > hi ? o : hi;
          double d = (double) v;
          s += d;
          s2 = __fma_rn(d, d, s2);
        }
        __syncthreads();
        for (int b = threadIdx.x; b < bins; b += blockDim.x) {
          unsigned int c = local[b];
          if (c != 0u) {
            atomicAdd(&counts[b], (unsigned long long) c);
          }
        }
        for (int o = 16; o > 0; o >>= 1) {
          unsigned int l2 = __shfl_down_sync(0xffffffffu, lo, o);
          unsigned int h2 = __shfl_down_sync(0xffffffffu, hi, o);
          lo = l2 < lo ? l2 : lo;
          hi = h2 > hi ? h2 : hi;
          s += __shfl_down_sync(0xffffffffu, s, o);
          s2 += __shfl_down_sync(0xffffffffu, s2, o);
          over += __shfl_down_sync(0xffffffffu, over, o);
        }
        if ((threadIdx.x & 31) == 0) {
          atomicMax(&stats[0], (unsigned long long) (~lo));
          atomicMax(&stats[1], (unsigned long long) hi);
          atomicAdd((double*) &stats[2], s);
          atomicAdd((double*) &stats[3], s2);
          if (over != 0ull) {
            atomicAdd(&stats[4], over);
          }
        }
        if (bad && atomicCAS(&stats[5], 0ull, 1ull) == 0ull) {
          stats[6] = (unsigned long long) badBits;
        }
      }
      """;
}
