package io.trtfleet.artifact;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@link TfTrtSavedModelWriter} wrote: the TF-TRT SavedModel, the engines saved in it as assets
 * and those left to build at runtime, the signatures kept and dropped (a dropped one needs tensors the
 * frozen, converted graph no longer has), and the full-model plan and Triton entry when there are.
 */
public record ConvertedSavedModel(Path savedModelDir, List<String> engines, List<Path> engineAssets,
    List<String> buildAtRuntime, List<String> signatures, List<String> droppedSignatures,
    Optional<Path> fullModelPlan, Optional<Path> tritonModel) {

  public ConvertedSavedModel {
    engines = List.copyOf(engines);
    engineAssets = List.copyOf(engineAssets);
    buildAtRuntime = List.copyOf(buildAtRuntime);
    signatures = List.copyOf(signatures);
    droppedSignatures = List.copyOf(droppedSignatures);
  }
}
