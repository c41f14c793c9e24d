package io.trtfleet.pipeline;

import io.trtfleet.Precision;
import io.trtfleet.TrtfleetException;
import io.trtfleet.convert.ConvertedSegment;
import io.trtfleet.convert.OptimizationProfile;
import io.trtfleet.graph.ModelRunner;
import io.trtfleet.sensitivity.VariantRunner;

/**
 * Sensitivity variants run as a build runs its segments: built by a backend (TensorRT engines on this GPU,
 * or the ONNX itself for ONNX Runtime), with the profile strategy's profiles over the settings' batch
 * sizes. Each is built in its own scratch folder, deleted before the backend loads what it built (from
 * memory: the plan, or the ONNX).
 */
public final class BackendVariantRunner implements VariantRunner {

  private final SegmentBackend backend;
  private final Precision precision;
  private final BuildSettings settings;

  public BackendVariantRunner(SegmentBackend backend, Precision precision, BuildSettings settings) {
    this.backend = backend;
    this.precision = precision;
    this.settings = settings;
  }

  @Override
  public String description() {
    return backend.description();
  }

  @Override
  public ModelRunner open(ConvertedSegment variant) {
    ConvertedSegment profiled = !variant.profiles().isEmpty() ? variant : settings.exampleShapes(variant.segment())
        .map(e -> variant.withProfiles(OptimizationProfile.compute(settings.profileStrategy(), variant.segment().inputs(), e)))
        .orElse(variant);
    BuiltSegment built;
    try (ScratchFolder scratch = ScratchFolder.create("trtfleet-sensitivity-", "a sensitivity variant")) {
      try {
        built = backend.build(profiled, precision, scratch.path());
      } catch (SegmentBackend.SegmentBuildException | RuntimeException e) {
        throw failed(variant, e);
      }
    }
    try {
      return backend.open(built);
    } catch (RuntimeException e) {
      throw failed(variant, e);
    }
  }

  private TrtfleetException failed(ConvertedSegment variant, Exception e) {
    return new TrtfleetException("sensitivity: a variant of " + variant.segment().name() + " did not build on "
        + backend.description() + ": " + e.getMessage(), e);
  }
}
