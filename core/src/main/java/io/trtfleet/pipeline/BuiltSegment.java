package io.trtfleet.pipeline;

import io.trtfleet.convert.ConvertedSegment;
import io.trtfleet.tensorrt.EngineArtifact;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A segment built by a backend: the converted ONNX, the TensorRT engine (none when ONNX Runtime serves
 * the ONNX itself), the files written for it and how long the build took.
 */
public record BuiltSegment(ConvertedSegment converted, Optional<EngineArtifact> engine, List<Path> files,
    double buildSeconds) {

  public BuiltSegment {
    files = List.copyOf(files);
  }

  public String name() {
    return converted.segment().name();
  }
}
