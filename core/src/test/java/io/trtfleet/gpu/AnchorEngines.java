package io.trtfleet.gpu;

import static org.bytedeco.tensorrt.global.nvinfer.createInferBuilder;
import static org.bytedeco.tensorrt.global.nvonnxparser.createParser;

import io.trtfleet.tensorrt.EngineInspector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorrt.global.nvinfer.BuilderFlag;
import org.bytedeco.tensorrt.global.nvinfer.MemoryPoolType;
import org.bytedeco.tensorrt.global.nvinfer.OptProfileSelector;
import org.bytedeco.tensorrt.global.nvinfer.ProfilingVerbosity;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.IBuilder;
import org.bytedeco.tensorrt.nvinfer.IBuilderConfig;
import org.bytedeco.tensorrt.nvinfer.IHostMemory;
import org.bytedeco.tensorrt.nvinfer.ILayer;
import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.bytedeco.tensorrt.nvinfer.INetworkDefinition;
import org.bytedeco.tensorrt.nvinfer.IOptimizationProfile;
import org.bytedeco.tensorrt.nvinfer.ITensor;
import org.bytedeco.tensorrt.nvonnxparser.IParser;

/**
 * The ONNX-parser anchor (../shared/gpu/anchors/OnnxAnchor.java) rebuilt with the same builder settings
 * (weakly typed, kFP16 / kINT8 with fixed ranges, 8 GiB workspace, batch 1..N profile, default
 * optimization level) plus detailed layer information, so its engines can be benchmarked with the same
 * code as ours and their fused layers compared with ours layer by layer.
 */
final class AnchorEngines {

  private AnchorEngines() {}

  /** Builds and benchmarks {@code onnx} in each mode; plans and layer lists are named {@code <tag>-<mode>}. */
  static Map<String, Object> run(Path onnx, String tag, int batch, List<String> modes, Path engines, Path out,
      Runnable checkpoint) throws IOException {
    Map<String, Object> result = new LinkedHashMap<>();
    List<Map<String, Object>> rows = new ArrayList<>();
    result.put("onnx", onnx.toString());
    result.put("modes", rows);
    for (String mode : modes) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("variant", tag + "-" + mode);
      rows.add(row);
      long t0 = System.nanoTime();
      byte[] plan = build(onnx, mode, batch);
      row.put("build_s", (System.nanoTime() - t0) / 1e9);
      row.put("plan_bytes", plan.length);
      Files.write(engines.resolve(tag + "-" + mode + ".plan"), plan);
      Files.writeString(out.resolve(tag + "-" + mode + ".layers.json"), EngineInspector.layersJson(plan));
      row.putAll(GpuSuite.bench(plan, batch));
      System.out.println("ANCHOR " + row);
      checkpoint.run();
    }
    return result;
  }

  static byte[] build(Path onnx, String mode, int batch) {
    ILogger log = LegacyCalibrationParity.LOG;
    IBuilder b = createInferBuilder(log);
    INetworkDefinition n = b.createNetworkV2(0);
    IParser p = createParser(n, log);
    if (!p.parseFromFile(onnx.toString(), ILogger.Severity.kWARNING.value)) {
      throw new IllegalStateException("anchor " + onnx + ": TensorRT's parser rejected it");
    }
    ITensor in = n.getInput(0);
    Dims64 d = in.getDimensions();
    IBuilderConfig cfg = b.createBuilderConfig();
    cfg.setMemoryPoolLimit(MemoryPoolType.kWORKSPACE, 8L << 30);
    cfg.setProfilingVerbosity(ProfilingVerbosity.kDETAILED.value);
    if (!mode.equals("fp32")) {
      cfg.setFlag(BuilderFlag.kFP16);
    }
    if (mode.equals("int8")) {
      // Speed only, as OnnxAnchor: fixed ranges on every tensor instead of a calibrator.
      cfg.setFlag(BuilderFlag.kINT8);
      for (int i = 0; i < n.getNbInputs(); i++) {
        n.getInput(i).setDynamicRange(-4f, 4f);
      }
      for (int l = 0; l < n.getNbLayers(); l++) {
        ILayer layer = n.getLayer(l);
        for (int o = 0; o < layer.getNbOutputs(); o++) {
          layer.getOutput(o).setDynamicRange(-8f, 8f);
        }
      }
    }
    IOptimizationProfile prof = b.createOptimizationProfile();
    prof.setDimensions(in.getName(), OptProfileSelector.kMIN, dims(d, 1));
    prof.setDimensions(in.getName(), OptProfileSelector.kOPT, dims(d, batch));
    prof.setDimensions(in.getName(), OptProfileSelector.kMAX, dims(d, batch));
    cfg.addOptimizationProfile(prof);
    IHostMemory mem = b.buildSerializedNetwork(n, cfg);
    if (mem == null || mem.isNull()) {
      throw new IllegalStateException("anchor " + mode + ": TensorRT could not build it");
    }
    byte[] bytes = new byte[(int) mem.size()];
    new BytePointer(mem.data()).capacity(mem.size()).get(bytes);
    return bytes;
  }

  private static Dims64 dims(Dims64 like, long batch) {
    Dims64 out = new Dims64();
    out.nbDims(like.nbDims());
    out.d(0, batch);
    for (int i = 1; i < like.nbDims(); i++) {
      out.d(i, like.d(i));
    }
    return out;
  }
}
