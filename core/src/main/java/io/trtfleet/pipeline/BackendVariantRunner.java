package io.trtfleet.pipeline;

import io.trtfleet.FileTrees;
import io.trtfleet.Precision;
import io.trtfleet.TrtfleetException;
import io.trtfleet.convert.ConvertedSegment;
import io.trtfleet.convert.OptimizationProfile;
import io.trtfleet.graph.ModelRunner;
import io.trtfleet.sensitivity.VariantRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Sensitivity variants run as a build runs its segments: built by a backend (TensorRT engines on this GPU,
 * or the ONNX itself for ONNX Runtime), with the profile strategy's profiles over the settings' batch
 * sizes. Each is built in its own scratch folder, deleted once the backend has loaded what it built.
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
    Path dir;
    try {
      dir = Files.createTempDirectory("trtfleet-sensitivity-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a scratch folder for a sensitivity variant", e);
    }
    ModelRunner runner;
    try {
      runner = backend.open(backend.build(profiled, precision, dir));
    } catch (SegmentBackend.SegmentBuildException | RuntimeException e) {
      TrtfleetException failure = new TrtfleetException("sensitivity: a variant of " + variant.segment().name()
          + " did not build on " + backend.description() + ": " + e.getMessage(), e);
      try {
        FileTrees.deleteTree(dir);
      } catch (IOException cleanup) {
        failure.addSuppressed(cleanup);
      }
      throw failure;
    }
    try {
      FileTrees.deleteTree(dir);
    } catch (IOException e) {
      runner.close();
      throw new UncheckedIOException("cannot delete the sensitivity scratch folder " + dir, e);
    }
    return runner;
  }
}
