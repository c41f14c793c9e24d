package io.trtfleet.calibrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.quantize.AbsHistogram;
import io.trtfleet.quantize.HistogramSet;
import io.trtfleet.quantize.NonFiniteActivationException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Java mirror of the GPU kernels against AbsHistogram, launch geometry, and merging GPU counts. */
class HistogramKernelsTest {

  private static final int B = AbsHistogram.DEFAULT_BINS;

  /** AbsHistogram's bin of one value (its only non-empty bin). */
  private static int cpuBin(float range, float x) {
    AbsHistogram h = AbsHistogram.forRange("t", range, B);
    h.add(new float[] {x}, 0, 1);
    long[] c = h.counts();
    for (int i = 0; i < c.length; i++) {
      if (c[i] != 0) {
        return i;
      }
    }
    throw new AssertionError("value not counted");
  }

  private static int gpuBin(float range, float x) {
    AbsHistogram h = AbsHistogram.forRange("t", range, B);
    return HistogramKernels.binIndex(x, h.inverseWidth(), h.edge(), B);
  }

  private static void same(float range, float x) {
    int cpu = cpuBin(range, x);
    int gpu = gpuBin(range, x);
    if (cpu >= B) {
      assertEquals(-1, gpu, "range " + range + ", x " + x + ": past the bins must be overflow (CPU bin " + cpu + ")");
    } else {
      assertEquals(cpu, gpu, "range " + range + ", x " + x);
    }
  }

  @Test
  void edgesMatchAbsHistogram() {
    for (float range : new float[] {1f, 6f, 0.3f, 3.7f, 1e-30f, 123456.7f, Float.MIN_NORMAL}) {
      for (float x : new float[] {0f, -0f, range, -range, Math.nextDown(range), Math.nextUp(range), 2 * range,
          range / B, Math.nextDown(range / B), Math.nextUp(range / B), range * (B - 1) / B,
          Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL / 3, 1.25f * range, 100 * range}) {
        same(range, x);
      }
    }
    assertEquals(B - 1, gpuBin(6f, 6f), "x == range is in the last bin");
    assertEquals(B - 1, gpuBin(6f, -6f), "negative values bin by |x|");
    assertEquals(0, gpuBin(6f, 0f));
    assertEquals(0, gpuBin(6f, Float.MIN_VALUE), "denormals land in bin 0");
    assertEquals(-1, gpuBin(6f, 13f), "past the range: host recount");
    assertTrue(cpuBin(6f, 13f) >= B, "AbsHistogram appends bins past the range");
  }

  @Test
  void zeroRangeBinsEverythingIntoBinZero() {
    AbsHistogram h = AbsHistogram.forRange("t", 0f, B);
    assertEquals(0.0, h.inverseWidth());
    for (float x : new float[] {0f, 1f, -3f, Float.MIN_VALUE}) {
      assertEquals(cpuBin(0f, x), HistogramKernels.binIndex(x, h.inverseWidth(), h.edge(), B));
      assertEquals(0, HistogramKernels.binIndex(x, h.inverseWidth(), h.edge(), B));
    }
  }

  @Test
  void randomValuesMatchAbsHistogram() {
    Random r = new Random(8);
    for (int k = 0; k < 200; k++) {
      float range = (float) Math.exp(r.nextGaussian() * 8);
      for (int i = 0; i < 200; i++) {
        float x = (float) ((r.nextDouble() * 2.2 - 1.1) * range);
        same(range, x);
      }
      // values built to sit exactly on bin edges
      for (int i = 0; i < 50; i++) {
        same(range, (float) (range / B * r.nextInt(B + 1)));
      }
    }
  }

  @Test
  void nonFiniteValuesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> HistogramKernels.binIndex(Float.NaN, 1, 1, B));
    assertThrows(IllegalArgumentException.class, () -> HistogramKernels.binIndex(Float.POSITIVE_INFINITY, 1, 1, B));
    assertThrows(IllegalArgumentException.class, () -> HistogramKernels.binIndex(Float.NEGATIVE_INFINITY, 1, 1, B));
    assertThrows(NonFiniteActivationException.class, () -> cpuBin(1f, Float.NaN));
  }

  @Test
  void orderedBitsPreserveOrder() {
    float[] v = {Float.NEGATIVE_INFINITY, -3e38f, -1f, -Float.MIN_VALUE, -0f, 0f, Float.MIN_VALUE, 1f, 3e38f,
        Float.POSITIVE_INFINITY};
    for (int i = 0; i < v.length; i++) {
      assertEquals(Float.floatToRawIntBits(v[i]),
          Float.floatToRawIntBits(HistogramKernels.fromOrderedBits(HistogramKernels.orderedBits(v[i]))));
      if (i > 0) {
        assertTrue(Integer.compareUnsigned(HistogramKernels.orderedBits(v[i - 1]), HistogramKernels.orderedBits(v[i])) < 0,
            v[i - 1] + " < " + v[i]);
      }
    }
    // the kernel stores ~ordered(min) so that zeroed memory is atomicMax's identity
    assertEquals(-5f, HistogramKernels.fromOrderedBits(~(~HistogramKernels.orderedBits(-5f))));
  }

  @Test
  void launchGeometry() {
    assertNull(HistogramKernels.launch(0, 256, 1056));
    assertEquals(new HistogramKernels.Launch(1, 256), HistogramKernels.launch(1, 256, 1056));
    assertEquals(new HistogramKernels.Launch(1, 256), HistogramKernels.launch(256, 256, 1056));
    assertEquals(new HistogramKernels.Launch(2, 256), HistogramKernels.launch(257, 256, 1056));
    HistogramKernels.Launch big = HistogramKernels.launch(64L * 112 * 112 * 64, 256, HistogramKernels.maxBlocks(132));
    assertEquals(132 * HistogramKernels.BLOCKS_PER_SM, big.blocks(), "grid capped, threads stride");
    assertEquals(191, big.perThread(64L * 112 * 112 * 64));
    assertEquals(1, HistogramKernels.launch(100, 256, 1).perThread(100));
    assertEquals(HistogramKernels.BLOCKS_PER_SM, HistogramKernels.maxBlocks(0));
    assertThrows(IllegalArgumentException.class, () -> HistogramKernels.launch(10, 100, 4), "not a warp multiple");
    assertThrows(IllegalArgumentException.class, () -> HistogramKernels.launch(10, 2048, 4));
    assertThrows(IllegalArgumentException.class, () -> HistogramKernels.launch(-1, 256, 4));
    assertEquals(8192, HistogramKernels.sharedBytes(B));
  }

  @Test
  void kernelSourceNamesTheKernelsAndMirrorsTheRule() {
    String s = HistogramKernels.SOURCE;
    assertTrue(s.contains("extern \"C\" __global__ void " + HistogramKernels.ABS_MAX + "("));
    assertTrue(s.contains("extern \"C\" __global__ void " + HistogramKernels.HISTOGRAM + "("));
    assertTrue(s.contains("if (a <= edge)") && s.contains("k < bins - 1 ? k : bins - 1")
        && s.contains("scaled >= (double) bins"), "trtfleet_bin is binIndex");
    assertTrue(!s.contains("#include"), "NVRTC builtins only");
  }

  /** What the GPU collector does per batch: kernel counts (simulated with the mirror) into addCounts. */
  private static void simulateGpuBatch(AbsHistogram h, float[] x, int n) {
    long[] c = new long[B];
    float lo = Float.POSITIVE_INFINITY;
    float hi = Float.NEGATIVE_INFINITY;
    double s = 0;
    double s2 = 0;
    boolean overflow = false;
    for (int i = 0; i < n; i++) {
      int k = HistogramKernels.binIndex(x[i], h.inverseWidth(), h.edge(), B);
      if (k < 0) {
        overflow = true;
        continue;
      }
      c[k]++;
      lo = Math.min(lo, x[i]);
      hi = Math.max(hi, x[i]);
      s += x[i];
      s2 += (double) x[i] * x[i];
    }
    if (overflow) {
      h.add(x, 0, n);  // the collector's host recount
    } else {
      h.addCounts(c, n, lo, hi, s, s2);
    }
  }

  @Test
  void gpuCountsMergeIntoHistogramSetLikeCpuCounts() {
    Random r = new Random(5);
    List<String> tensors = List.of("a:0", "b:0");
    Map<String, Float> ranges = Map.of("a:0", 4f, "b:0", 0.5f);
    HistogramSet cpu = HistogramSet.withRanges(tensors, ranges, B);
    HistogramSet gpu = HistogramSet.withRanges(tensors, ranges, B);
    for (int batch = 0; batch < 6; batch++) {
      for (String t : tensors) {
        float[] x = new float[1000];
        for (int i = 0; i < x.length; i++) {
          x[i] = (float) (r.nextGaussian() * ranges.get(t) / 3);
        }
        if (batch == 3) {
          x[7] = ranges.get(t) * 1.5f;  // past the range: exercises the host recount
        }
        int valid = 800;
        cpu.get(t).add(x, 0, valid);
        simulateGpuBatch(gpu.get(t), x, valid);
      }
      cpu.addSamples(8);
      gpu.addSamples(8);
    }
    HistogramSet mergedCpu = HistogramSet.withRanges(tensors, ranges, B).merge(cpu);
    HistogramSet mergedGpu = HistogramSet.withRanges(tensors, ranges, B).merge(gpu);
    for (String t : tensors) {
      assertTrue(mergedCpu.get(t).sameCounts(mergedGpu.get(t)), t + ": " + Arrays.toString(mergedGpu.get(t).counts()));
      assertEquals(mergedCpu.get(t).mean(), mergedGpu.get(t).mean(), 1e-9);
    }
    assertEquals(48, mergedGpu.samples());
  }

  @Test
  void addCountsChecksTheTotalAndIgnoresEmptyBatches() {
    AbsHistogram h = AbsHistogram.forRange("t", 1f, B);
    assertThrows(IllegalArgumentException.class, () -> h.addCounts(new long[B], 3, 0f, 1f, 0, 0));
    h.addCounts(new long[B], 0, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0, 0);
    assertEquals(0, h.total());
    assertEquals(0f, h.absMax());
    long[] c = new long[B];
    c[B - 1] = 2;
    h.addCounts(c, 2, -1f, 0.9995f, -0.0005, 1.999);
    assertEquals(2, h.total());
    assertEquals(1f, h.absMax());
    assertEquals(-1f, h.min());
  }

  private static HistogramKernels.Job job(long address, long elements, int tensor) {
    return new HistogramKernels.Job(address, elements, 1.0 / 3, 6.0, (long) tensor * B,
        (long) tensor * HistogramKernels.STAT_WORDS);
  }

  @Test
  void launchTablePacksOneRowPerTensorWithElements() {
    List<HistogramKernels.Job> jobs = List.of(job(0x1000, 1000, 0), job(0x2000, 0, 1), job(0x3000, 257, 2),
        job(0x4000, 1L << 33, 3));
    HistogramKernels.Table t = HistogramKernels.table(jobs, 256, 16);
    assertEquals(3, t.jobs(), "the tensor without elements is left out");
    assertEquals(3 * HistogramKernels.JOB_WORDS, t.words().length);
    int[] blocks = {4, 2, 16};  // what launch() gives each alone: ceil(1000/256), ceil(257/256), capped
    // address, elements, counts offset, result offset, first block
    long[][] expected = {
        {0x1000, 1000, 0, 0, 0},
        {0x3000, 257, 2L * B, 2L * HistogramKernels.STAT_WORDS, 4},
        {0x4000, 1L << 33, 3L * B, 3L * HistogramKernels.STAT_WORDS, 6}};
    for (int r = 0; r < 3; r++) {
      int at = r * HistogramKernels.JOB_WORDS;
      long[] w = t.words();
      assertEquals(expected[r][0], w[at + HistogramKernels.JOB_X], "address, row " + r);
      assertEquals(expected[r][1], w[at + HistogramKernels.JOB_N], "elements (64-bit), row " + r);
      assertEquals(1.0 / 3, Double.longBitsToDouble(w[at + HistogramKernels.JOB_INV]), "inverse width as double bits");
      assertEquals(6.0, Double.longBitsToDouble(w[at + HistogramKernels.JOB_EDGE]), "edge as double bits");
      assertEquals(expected[r][2], w[at + HistogramKernels.JOB_COUNTS_AT], "counts offset, row " + r);
      assertEquals(expected[r][3], w[at + HistogramKernels.JOB_RESULT_AT], "result offset, row " + r);
      assertEquals(expected[r][4], w[at + HistogramKernels.JOB_FIRST_BLOCK], "first block, row " + r);
      assertEquals(blocks[r], w[at + HistogramKernels.JOB_BLOCKS], "blocks, row " + r);
    }
    assertEquals(22, t.blocks());
    assertEquals(0, HistogramKernels.table(List.of(job(1, 0, 0)), 256, 16).jobs(), "nothing to launch");
    assertThrows(IllegalArgumentException.class, () -> job(1, -1, 0));
  }

  @Test
  void everyBlockFindsItsTensorAndEveryElementIsVisitedOnce() {
    Random r = new Random(22);
    for (int trial = 0; trial < 50; trial++) {
      int tensors = 1 + r.nextInt(12);
      List<HistogramKernels.Job> jobs = new java.util.ArrayList<>();
      long[] n = new long[tensors];
      for (int i = 0; i < tensors; i++) {
        n[i] = r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(5000);
        jobs.add(job(i, n[i], i));  // the address names the tensor
      }
      int threads = 32;
      int maxBlocks = 1 + r.nextInt(20);  // small: most tensors need the grid-stride loop
      HistogramKernels.Table t = HistogramKernels.table(jobs, threads, maxBlocks);
      long[] w = t.words();
      int[][] visits = new int[tensors][];
      for (int i = 0; i < tensors; i++) {
        visits[i] = new int[(int) n[i]];
      }
      // The kernels' indexing, for every thread of the grid.
      for (int block = 0; block < t.blocks(); block++) {
        int at = HistogramKernels.jobOfBlock(w, t.jobs(), block) * HistogramKernels.JOB_WORDS;
        long first = w[at + HistogramKernels.JOB_FIRST_BLOCK];
        assertTrue(first <= block && block < first + w[at + HistogramKernels.JOB_BLOCKS], "block " + block);
        int tensor = (int) w[at + HistogramKernels.JOB_X];
        long stride = w[at + HistogramKernels.JOB_BLOCKS] * threads;
        for (int thread = 0; thread < threads; thread++) {
          for (long i = (block - first) * threads + thread; i < w[at + HistogramKernels.JOB_N]; i += stride) {
            visits[tensor][(int) i]++;
          }
        }
      }
      for (int i = 0; i < tensors; i++) {
        for (int v : visits[i]) {
          assertEquals(1, v, "trial " + trial + ", tensor " + i + " of " + Arrays.toString(n));
        }
      }
    }
  }

  @Test
  void kernelsReadTheTableAtTheJavaOffsets() {
    String s = HistogramKernels.SOURCE;
    assertEquals(8, HistogramKernels.JOB_WORDS, "the kernels index rows as table + row * 8");
    assertTrue(s.contains("table[mid * 8 + " + HistogramKernels.JOB_FIRST_BLOCK + "]"), "first block word");
    for (String word : new String[] {"(const float*) job[" + HistogramKernels.JOB_X + "]",
        "unsigned long long n = job[" + HistogramKernels.JOB_N + "]",
        "__longlong_as_double((long long) job[" + HistogramKernels.JOB_INV + "])",
        "__longlong_as_double((long long) job[" + HistogramKernels.JOB_EDGE + "])",
        "allCounts + job[" + HistogramKernels.JOB_COUNTS_AT + "]",
        "allStats + job[" + HistogramKernels.JOB_RESULT_AT + "]",
        "maxWords + job[" + HistogramKernels.JOB_RESULT_AT + "]",
        "job[" + HistogramKernels.JOB_BLOCKS + "] * (unsigned long long) blockDim.x",
        "(unsigned long long) blockIdx.x - job[" + HistogramKernels.JOB_FIRST_BLOCK + "]"}) {
      assertTrue(s.contains(word), word);
    }
  }
}
