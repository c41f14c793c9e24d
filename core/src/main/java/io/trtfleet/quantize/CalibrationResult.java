package io.trtfleet.quantize;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a calibration run decided and why: algorithm and parameters, the dataset (URI and content
 * digest), the sample count, and one {@link TensorCalibration} per tensor.
 */
public record CalibrationResult(String algorithm, String cacheName, Map<String, Object> parameters,
    String datasetUri, String datasetDigest, long samples, List<TensorCalibration> tensors) {

  /** TensorRT version tag written into cache headers: the tested TensorRT 10.6.0. */
  public static final String TRT_VERSION_TAG = "100600";

  public CalibrationResult {
    parameters = Map.copyOf(parameters);
    tensors = List.copyOf(tensors);
  }

  public CalibrationTable table() {
    Map<String, Float> amax = new LinkedHashMap<>();
    tensors.forEach(t -> amax.put(t.tensor(), t.amax()));
    return CalibrationTable.fromAmax("TRT-" + TRT_VERSION_TAG + "-" + cacheName, amax);
  }

  public List<String> allZeroTensors() {
    return tensors.stream().filter(TensorCalibration::allZero).map(TensorCalibration::tensor).toList();
  }
}
