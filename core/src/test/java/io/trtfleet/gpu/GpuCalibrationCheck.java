package io.trtfleet.gpu;

import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaFreeHost;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMallocHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpy;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreate;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.trtfleet.calibrate.ActivationCollector;
import io.trtfleet.calibrate.GpuActivationCollector;
import io.trtfleet.convert.WholeGraphSegment;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.quantize.AbsHistogram;
import io.trtfleet.quantize.CalibrationAlgorithm;
import io.trtfleet.quantize.CalibrationCollector;
import io.trtfleet.quantize.CalibrationResult;
import io.trtfleet.quantize.Calibrator;
import io.trtfleet.quantize.HistogramSet;
import io.trtfleet.quantize.QuantizationTargets;
import io.trtfleet.quantize.TensorCalibration;
import io.trtfleet.quantize.ThresholdSelector;
import io.trtfleet.tensorrt.DeviceIdentity;
import io.trtfleet.tensorrt.TensorRt;
import io.trtfleet.testing.ResNet50;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * GPU check of issue #8 (the GPU calibration collector), one JSON document on stdout and in
 * {@code --out/gpu-calibration.json}; exit status 1 when a check fails.
 *
 * <pre>
 * java -cp ... io.trtfleet.gpu.GpuCalibrationCheck --out DIR [--fmnist IDX_DIR --model SAVED_MODEL_DIR]
 *     [--resnet] [--batch 64] [--iterations 20] [--cpu-batches 2] [--device 0]
 * </pre>
 *
 * (a) Fashion-MNIST CNN: CPU collector (TensorFlow) vs GPU collector (TensorRT FP32 + CUDA kernels) on
 * the same 2000 training images: per tensor the ranges, the histograms at the CPU bin widths (the
 * smallest bin shift that explains the difference, {@link #binShift}; must be at most 1) and the entropy
 * thresholds in bins (must differ by at most 1), plus both entropy tables (CPU ranges and GPU's own).
 * (b) ResNet-50 with random data at --batch: samples/s of the GPU collector's pass 2, of the same engine
 * without kernels, of the plain engine without extra outputs (all three with the same page-locked upload),
 * the overheads, the collector's time over plain inference (issue 22 target: at most 1.3), how the extra
 * time splits between the marked outputs and the kernels, the upload alone (pageable vs page-locked),
 * and the CPU collector.
 */
public final class GpuCalibrationCheck {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public static void main(String[] args) throws Exception {
    Map<String, String> a = GpuSuite.parse(args);
    Path out = Path.of(a.getOrDefault("--out", "gpu-out"));
    Files.createDirectories(out);
    int batch = Integer.parseInt(a.getOrDefault("--batch", "64"));
    int ordinal = Integer.parseInt(a.getOrDefault("--device", "0"));
    DeviceIdentity device = TensorRt.identify(ordinal);
    System.out.println("DEVICE " + device + " key " + device.deviceKey() + " " + device.tensorRtKey());
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("device", device.gpuName());
    results.put("device_key", device.deviceKey());
    results.put("tensorrt", device.tensorRtKey());
    boolean ok = true;
    if (a.containsKey("--fmnist")) {
      Map<String, Object> f = fashion(Path.of(a.get("--fmnist")), Path.of(a.get("--model")), batch, ordinal);
      ok &= (Boolean) f.get("ok");
      results.put("fashion_mnist", f);
      write(out, results);
    }
    if (a.containsKey("--resnet")) {
      results.put("resnet50", resnet(batch, ordinal, Integer.parseInt(a.getOrDefault("--iterations", "20")),
          Integer.parseInt(a.getOrDefault("--cpu-batches", "2"))));
    }
    results.put("ok", ok);
    write(out, results);
    System.out.println(JSON.writeValueAsString(results));
    if (!ok) {
      System.exit(1);
    }
  }

  private static void write(Path out, Map<String, Object> results) throws Exception {
    Files.writeString(out.resolve("gpu-calibration.json"), JSON.writeValueAsString(results));
  }

  // ---------------------------------------------------------------- (a) Fashion-MNIST: CPU vs GPU

  static Map<String, Object> fashion(Path idx, Path model, int batch, int ordinal) throws Exception {
    FrozenGraph g = SavedModelImporter.importModel(ImportOptions.of(model)).graph();
    String input = g.signature().inputs().get(0).tensor().name();
    List<String> targets = QuantizationTargets.of(g, WholeGraphSegment.of(g));
    float[] cal = GpuSuite.images(idx.resolve("train-images-idx3-ubyte.gz"), 2000);
    int n = cal.length / 784;
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("samples", n);
    r.put("batch", batch);
    r.put("tensors", targets.size());

    Map<String, Float> cpuRanges;
    HistogramSet cpuHist;
    long t0 = System.nanoTime();
    try (ActivationCollector cpu = new ActivationCollector(g, targets, 0)) {
      cpuRanges = ranges(cpu, cal, n, batch, input);
      cpuHist = histograms(cpu, cal, n, batch, input, HistogramSet.withRanges(targets, cpuRanges, AbsHistogram.DEFAULT_BINS));
    }
    r.put("cpu_seconds", (System.nanoTime() - t0) / 1e9);
    Map<String, Float> gpuRanges;
    HistogramSet gpuAtCpuWidths;
    HistogramSet gpuOwn;
    try (GpuActivationCollector gpu = GpuActivationCollector.forGraph(g, targets, ordinal, batch)) {
      r.put("gpu_engine_build_s", gpu.engineBuildSeconds());
      r.put("gpu_extra_outputs", gpu.outputs().extraOutputs().size());
      long t1 = System.nanoTime();
      gpuRanges = ranges(gpu, cal, n, batch, input);
      gpuOwn = histograms(gpu, cal, n, batch, input, HistogramSet.withRanges(targets, gpuRanges, AbsHistogram.DEFAULT_BINS));
      r.put("gpu_seconds", (System.nanoTime() - t1) / 1e9);
      gpuAtCpuWidths = histograms(gpu, cal, n, batch, input,
          HistogramSet.withRanges(targets, cpuRanges, AbsHistogram.DEFAULT_BINS));
    }
    Calibrator entropy = CalibrationAlgorithm.ENTROPY.calibrator(99.99);
    Map<String, TensorCalibration> cpuT = byTensor(ThresholdSelector.select(cpuHist, entropy, List.of(entropy)));
    Map<String, TensorCalibration> gpuT = byTensor(ThresholdSelector.select(gpuAtCpuWidths, entropy, List.of(entropy)));
    Map<String, TensorCalibration> gpuOwnT = byTensor(ThresholdSelector.select(gpuOwn, entropy, List.of(entropy)));
    boolean ok = true;
    List<Map<String, Object>> rows = new ArrayList<>();
    for (String t : targets) {
      AbsHistogram hc = cpuHist.get(t);
      AbsHistogram hg = gpuAtCpuWidths.get(t);
      int shift = binShift(hc.counts(), hg.counts());
      double w = hc.binWidth();
      double thresholdBins = w > 0 ? Math.abs(cpuT.get(t).amax() - gpuT.get(t).amax()) / w : 0;
      boolean tensorOk = shift <= 1 && thresholdBins <= 1.0 + 1e-6 && hc.total() == hg.total();
      ok &= tensorOk;
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("tensor", t);
      row.put("cpu_range", cpuRanges.get(t));
      row.put("gpu_range", gpuRanges.get(t));
      row.put("range_rel_diff", relDiff(cpuRanges.get(t), gpuRanges.get(t)));
      row.put("range_diff_bins", w > 0 ? Math.abs(cpuRanges.get(t) - gpuRanges.get(t)) / w : 0);
      row.put("counted_cpu", hc.total());
      row.put("counted_gpu", hg.total());
      row.put("histogram_max_bin_shift", shift);
      row.put("identical_counts", java.util.Arrays.equals(hc.counts(), hg.counts()));
      row.put("entropy_amax_cpu", cpuT.get(t).amax());
      row.put("entropy_amax_gpu_at_cpu_widths", gpuT.get(t).amax());
      row.put("entropy_threshold_diff_bins", thresholdBins);
      row.put("entropy_amax_gpu_own_ranges", gpuOwnT.get(t).amax());
      row.put("ok", tensorOk);
      rows.add(row);
      System.out.println("FMNIST-CAL " + row);
    }
    r.put("per_tensor", rows);
    r.put("cpu_entropy_table", table(cpuHist, entropy, "cpu"));
    r.put("gpu_entropy_table", table(gpuOwn, entropy, "gpu"));
    r.put("ok", ok);
    return r;
  }

  private static Map<String, Float> table(HistogramSet h, Calibrator c, String device) {
    return new CalibrationResult(c.name(), c.cacheName(), Map.of("calibration_device", device),
        "fashion-mnist-train[0:2000]", "-", h.samples(), ThresholdSelector.select(h, c, List.of(c))).table().scales();
  }

  private static Map<String, TensorCalibration> byTensor(List<TensorCalibration> list) {
    Map<String, TensorCalibration> m = new LinkedHashMap<>();
    list.forEach(t -> m.put(t.tensor(), t));
    return m;
  }

  /** Pass 1 over all images in batches of {@code batch}, the last one zero-padded. */
  static Map<String, Float> ranges(CalibrationCollector c, float[] images, int n, int batch, String input) {
    Map<String, Float> ranges = new LinkedHashMap<>();
    for (int s = 0; s < n; s += batch) {
      int valid = Math.min(batch, n - s);
      ranges = ActivationCollector.mergeRanges(ranges, c.ranges(Map.of(input, padded(images, s, valid, batch)), valid));
    }
    return ranges;
  }

  static HistogramSet histograms(CalibrationCollector c, float[] images, int n, int batch, String input, HistogramSet into) {
    for (int s = 0; s < n; s += batch) {
      int valid = Math.min(batch, n - s);
      c.accumulate(Map.of(input, padded(images, s, valid, batch)), valid, into);
    }
    c.flush();
    return into;
  }

  private static HostTensor padded(float[] images, int start, int valid, int batch) {
    float[] x = new float[batch * 784];
    System.arraycopy(images, start * 784, x, 0, valid * 784);
    return HostTensor.ofFloats(new long[] {batch, 28, 28, 1}, x);
  }

  /**
   * The smallest s such that moving every value by at most s bins can turn histogram a into b: the
   * largest s needed over k of cumA(k-s) <= cumB(k) and cumB(k-s) <= cumA(k). 0 for identical counts;
   * Integer.MAX_VALUE when the totals differ.
   */
  public static int binShift(long[] a, long[] b) {
    int n = Math.max(a.length, b.length);
    long[] ca = cumulative(a, n);
    long[] cb = cumulative(b, n);
    if (ca[n - 1] != cb[n - 1]) {
      return Integer.MAX_VALUE;
    }
    for (int s = 0; s < n; s++) {
      boolean fits = true;
      for (int k = 0; k < n && fits; k++) {
        long caShift = k - s >= 0 ? ca[k - s] : 0;
        long cbShift = k - s >= 0 ? cb[k - s] : 0;
        fits = caShift <= cb[k] && cbShift <= ca[k];
      }
      if (fits) {
        return s;
      }
    }
    return n;
  }

  private static long[] cumulative(long[] c, int n) {
    long[] out = new long[n];
    long sum = 0;
    for (int i = 0; i < n; i++) {
      sum += i < c.length ? c[i] : 0;
      out[i] = sum;
    }
    return out;
  }

  private static double relDiff(float a, float b) {
    return a == b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
  }

  // ---------------------------------------------------------------- (b) ResNet-50 throughput

  static Map<String, Object> resnet(int batch, int ordinal, int iterations, int cpuBatches) throws Exception {
    Path dir = Files.createTempDirectory("resnet50-cal");
    ResNet50.export(dir.resolve("saved_model"));
    FrozenGraph g = SavedModelImporter.importModel(ImportOptions.of(dir.resolve("saved_model"))).graph();
    String input = g.signature().inputs().get(0).tensor().name();
    List<String> targets = QuantizationTargets.of(g, WholeGraphSegment.of(g));
    Map<String, HostTensor> feeds = Map.of(input, GpuSuite.gaussianImages(new Random(11), batch, 224));
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("batch", batch);
    r.put("iterations", iterations);
    r.put("tensors", targets.size());
    double collectorS;
    double markedS;
    double rangesS;
    try (GpuActivationCollector gpu = GpuActivationCollector.forGraph(g, targets, ordinal, batch)) {
      r.put("collector_engine_build_s", gpu.engineBuildSeconds());
      r.put("extra_outputs", gpu.outputs().extraOutputs().size());
      Map<String, Float> ranges = gpu.ranges(feeds, batch);
      HistogramSet set = HistogramSet.withRanges(targets, ranges, AbsHistogram.DEFAULT_BINS);
      for (int i = 0; i < 3; i++) {
        gpu.accumulate(feeds, batch, set);
        gpu.inferOnly(feeds);  // flushes the batch accumulate left in flight
      }
      long t = System.nanoTime();
      for (int i = 0; i < iterations; i++) {
        ActivationCollector.mergeRanges(ranges, gpu.ranges(feeds, batch));
      }
      rangesS = (System.nanoTime() - t) / 1e9;
      t = System.nanoTime();
      for (int i = 0; i < iterations; i++) {
        gpu.accumulate(feeds, batch, set);
      }
      gpu.flush();
      collectorS = (System.nanoTime() - t) / 1e9;
      t = System.nanoTime();
      for (int i = 0; i < iterations; i++) {
        gpu.inferOnly(feeds);
      }
      markedS = (System.nanoTime() - t) / 1e9;
      r.put("histogram_samples", set.samples());
    }
    double plainS;
    try (GpuActivationCollector plain = new GpuActivationCollector(g, WholeGraphSegment.of(g), List.of(), ordinal, batch)) {
      r.put("plain_engine_build_s", plain.engineBuildSeconds());
      for (int i = 0; i < 3; i++) {
        plain.inferOnly(feeds);
      }
      long t = System.nanoTime();
      for (int i = 0; i < iterations; i++) {
        plain.inferOnly(feeds);
      }
      plainS = (System.nanoTime() - t) / 1e9;
    }
    UploadTimes upload = uploads(feeds.get(input).data(), iterations);
    double samples = (double) batch * iterations;
    r.put("gpu_collector_pass2_samples_per_s", samples / collectorS);
    r.put("gpu_collector_pass1_samples_per_s", samples / rangesS);
    r.put("fp32_marked_outputs_inference_samples_per_s", samples / markedS);
    r.put("fp32_plain_inference_samples_per_s", samples / plainS);
    r.put("overhead_pct_vs_marked_outputs_engine", 100 * (collectorS / markedS - 1));
    r.put("overhead_pct_vs_plain_engine", 100 * (collectorS / plainS - 1));
    r.put("collector_pass2_over_plain_same_upload", collectorS / plainS);
    r.put("target_collector_over_plain_max", 1.3);
    double extra = collectorS - plainS;
    r.put("extra_ms_per_batch_over_plain", 1000 * extra / iterations);
    r.put("marked_outputs_share_of_extra", extra > 0 ? (markedS - plainS) / extra : 0);
    r.put("kernels_share_of_extra", extra > 0 ? (collectorS - markedS) / extra : 0);
    r.put("upload_pageable_ms_per_batch", upload.pageableMs());
    r.put("upload_pinned_ms_per_batch", upload.pinnedMs());
    r.put("timing_note", "wall clock per batch: host->device upload of the batch through the page-locked staging"
        + " buffers, enqueueV3, kernels and the copy of counts back (collector), synchronized; same upload in all"
        + " three. Pass 2 overlaps the host copy of batch k+1 with the GPU work of batch k (flushed at the end of"
        + " the timed loop); the inference-only figures do not overlap. upload_*: the batch's bytes alone, to a"
        + " device buffer, as before issue 22 (fresh pageable buffer, cudaMemcpy) and now (page-locked staging,"
        + " cudaMemcpyAsync)");
    if (cpuBatches > 0) {
      try (ActivationCollector cpu = new ActivationCollector(g, targets, 0)) {
        Map<String, Float> ranges = cpu.ranges(feeds, batch);
        HistogramSet set = HistogramSet.withRanges(targets, ranges, AbsHistogram.DEFAULT_BINS);
        long t = System.nanoTime();
        for (int i = 0; i < cpuBatches; i++) {
          cpu.accumulate(feeds, batch, set);
        }
        double cpuS = (System.nanoTime() - t) / 1e9;
        r.put("cpu_collector_batches", cpuBatches);
        r.put("cpu_collector_pass2_samples_per_s", (double) batch * cpuBatches / cpuS);
        r.put("cpu_threads", Runtime.getRuntime().availableProcessors());
      }
    }
    System.out.println("RESNET50-CAL " + r);
    return r;
  }

  private record UploadTimes(double pageableMs, double pinnedMs) {}

  /** Milliseconds per upload of {@code bytes}: the old pageable path and the page-locked staging one. */
  private static UploadTimes uploads(byte[] bytes, int iterations) {
    Pointer device = new Pointer();
    Pointer pinned = new Pointer();
    CUstream_st stream = new CUstream_st();
    TensorRt.check(cudaMalloc(device, bytes.length), "cudaMalloc");
    TensorRt.check(cudaMallocHost(pinned, bytes.length), "cudaMallocHost");
    TensorRt.check(cudaStreamCreate(stream), "cudaStreamCreate");
    try {
      long t = System.nanoTime();
      for (int i = 0; i < iterations; i++) {
        try (BytePointer host = new BytePointer(bytes)) {
          TensorRt.check(cudaMemcpy(device, host, bytes.length, cudaMemcpyHostToDevice), "pageable upload");
        }
      }
      double pageable = (System.nanoTime() - t) / 1e6 / iterations;
      BytePointer staging = new BytePointer(pinned).capacity(bytes.length);
      t = System.nanoTime();
      for (int i = 0; i < iterations; i++) {
        staging.position(0).put(bytes);
        TensorRt.check(cudaMemcpyAsync(device, staging, bytes.length, cudaMemcpyHostToDevice, stream), "pinned upload");
        TensorRt.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
      }
      return new UploadTimes(pageable, (System.nanoTime() - t) / 1e6 / iterations);
    } finally {
      TensorRt.check(cudaStreamDestroy(stream), "cudaStreamDestroy");
      TensorRt.check(cudaFreeHost(pinned), "cudaFreeHost");
      TensorRt.check(cudaFree(device), "cudaFree");
    }
  }

}
