package io.trtfleet.tensorrt;

import static org.bytedeco.tensorrt.global.nvinfer.createInferRuntime;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorrt.global.nvinfer.LayerInformationFormat;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IEngineInspector;
import org.bytedeco.tensorrt.nvinfer.IRuntime;

/**
 * TensorRT's own description of a built engine: its layers after fusion, with their precisions and
 * formats (tactics too when the plan was built with {@link EngineBuildConfig#detailedLayers()}). This is
 * how one sees whether Q/DQ pairs fused into INT8 kernels or left reformatting layers behind.
 */
public final class EngineInspector {

  private EngineInspector() {}

  /** The engine's layer information as TensorRT's JSON. */
  public static String layersJson(byte[] plan) {
    TensorRt.require();
    IRuntime runtime = createInferRuntime(TrtLogger.INSTANCE);
    ICudaEngine engine = runtime.deserializeCudaEngine(new BytePointer(plan), plan.length);
    if (engine == null || engine.isNull()) {
      throw new EngineBuildException("TensorRT could not deserialize the engine to inspect it");
    }
    IEngineInspector inspector = engine.createEngineInspector();
    BytePointer info = inspector.getEngineInformation(LayerInformationFormat.kJSON.value);
    return info == null || info.isNull() ? "{}" : info.getString();
  }
}
