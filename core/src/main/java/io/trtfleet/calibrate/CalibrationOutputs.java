package io.trtfleet.calibrate;

import com.google.protobuf.InvalidProtocolBufferException;
import io.trtfleet.convert.ConvertedSegment;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.onnx.OnnxDataType;
import io.trtfleet.onnx.proto.Onnx.ModelProto;
import io.trtfleet.onnx.proto.Onnx.TypeProto;
import io.trtfleet.onnx.proto.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where each calibration target lives in a converted segment: a TensorFlow tensor ({@code conv1/Relu:0})
 * is held by the ONNX value the converter defined for it ({@link ConvertedSegment#tensorValues()}; rank-4
 * activations usually NCHW, the same elements in another order, which an |x| histogram does not see),
 * or is a segment input or output (named exactly like the TensorFlow tensor). Intermediate values become
 * extra ONNX graph outputs, so TensorRT materializes them instead of fusing them away.
 *
 * @param onnxValue  target TF tensor -> engine I/O tensor name holding it
 * @param extraOutputs ONNX values to add as graph outputs (deduplicated, in target order)
 */
public record CalibrationOutputs(Map<String, String> onnxValue, List<String> extraOutputs) {

  public CalibrationOutputs {
    onnxValue = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(onnxValue));
    extraOutputs = List.copyOf(extraOutputs);
  }

  /** Maps every target; a target with no ONNX value (folded to a constant, fused away, outside) is an error. */
  public static CalibrationOutputs plan(ConvertedSegment segment, Collection<String> targets) {
    Set<String> inputs = new HashSet<>();
    for (TensorSpec s : segment.inputs()) {
      inputs.add(s.name());
    }
    Set<String> outputs = new HashSet<>();
    for (TensorSpec s : segment.outputs()) {
      outputs.add(s.name());
    }
    Map<String, String> map = new LinkedHashMap<>();
    Set<String> extra = new LinkedHashSet<>();
    for (String t : targets) {
      if (inputs.contains(t) || outputs.contains(t)) {
        map.put(t, t);
        continue;
      }
      String v = segment.onnxValue(t).orElseThrow(() -> new IllegalArgumentException("calibration target " + t
          + " has no ONNX value in segment " + segment.segment().name() + " (not computed inside it, folded to a"
          + " constant or fused into another op); calibrate it on the CPU (--calibration-device cpu)"));
      if (inputs.contains(v)) {
        map.put(t, v);  // an alias of an input (Identity): read the input buffer
        continue;
      }
      map.put(t, v);
      if (!outputs.contains(v)) {
        extra.add(v);
      }
    }
    return new CalibrationOutputs(map, new ArrayList<>(extra));
  }

  /** The model with {@code values} added as FP32 graph outputs (rank and dims left to the consumer). */
  public static byte[] withOutputs(byte[] onnx, Collection<String> values) {
    ModelProto model;
    try {
      model = ModelProto.parseFrom(onnx);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not an ONNX model: " + e.getMessage(), e);
    }
    Set<String> have = new HashSet<>();
    model.getGraph().getOutputList().forEach(o -> have.add(o.getName()));
    Set<String> produced = new HashSet<>();
    model.getGraph().getNodeList().forEach(n -> produced.addAll(n.getOutputList()));
    ModelProto.Builder b = model.toBuilder();
    for (String v : values) {
      if (have.contains(v)) {
        continue;
      }
      if (!produced.contains(v)) {
        throw new IllegalArgumentException("ONNX value " + v + " is not produced by any node of the model");
      }
      b.getGraphBuilder().addOutput(ValueInfoProto.newBuilder().setName(v)
          .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
              .setElemType(OnnxDataType.FLOAT))));
    }
    return b.build().toByteArray();
  }
}
