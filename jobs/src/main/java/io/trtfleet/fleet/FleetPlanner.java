package io.trtfleet.fleet;

import io.trtfleet.Precision;
import io.trtfleet.TrtfleetException;
import io.trtfleet.store.Verification;
import io.trtfleet.tensorrt.ImageBinding;
import io.trtfleet.convert.OptimizationProfile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plans a run: every (model, pool, TensorRT version, precision) target with its content key, checked
 * against the store. Reads file digests and store metadata only; no model is imported.
 */
public final class FleetPlanner {

  /**
   * Bumped when conversion or build code changes what an artifact is for the same inputs, so every
   * target is rebuilt once (2: segment-wise builds with the TF-TRT SavedModel, the same as trtfleet build).
   */
  static final String CONVERSION_FORMAT = "2";

  private final Digests digests;
  private final ArtifactStoreTargets store;
  private final DirectoryStore calibrations;

  public FleetPlanner(Digests digests, ArtifactStoreTargets store, DirectoryStore calibrations) {
    this.digests = digests;
    this.store = store;
    this.calibrations = calibrations;
  }

  public FleetPlan plan(FleetConfig fleet, ModelRegistry registry) {
    List<FleetPlan.Planned> planned = new ArrayList<>();
    Map<String, FleetPlan.Calibration> calibrationsNeeded = new LinkedHashMap<>();
    Map<String, String> unplannable = new LinkedHashMap<>();
    for (ModelSpec m : registry.models()) {
      String modelDigest;
      CalibrationKey calKey;
      try {
        modelDigest = digests.tree(m.modelUri(), "SavedModel");
        calKey = m.needsCalibration() ? calibrationKey(m, modelDigest) : null;
      } catch (TrtfleetException e) {
        // One unreadable model or calibration set fails its own targets, not the run.
        unplannable.put(m.name(), "model " + m.name() + ": " + e.getMessage());
        continue;
      }
      for (String poolName : m.pools()) {
        Pool pool = fleet.pool(poolName).orElseThrow();
        for (Precision p : m.precisions()) {
          String cal = p.quantized() ? calKey.digest() : FleetTargetKey.NO_CALIBRATION;
          FleetTargetKey key = new FleetTargetKey(m.name(), modelDigest, cal, optionsDigest(m, p, pool.needsGpu()),
              pool.backendKey(), pool.storeDeviceKey(), p.name());
          Target t = new Target(m, pool, p, key);
          Verification v = store.verify(key);
          TargetResult published = ArtifactStoreTargets.resultOf(v).orElse(null);
          planned.add(new FleetPlan.Planned(t, published,
              v.status() == Verification.Status.CORRUPT ? v.describe() : null));
          if (published == null && p.quantized()) {
            calibrationsNeeded.computeIfAbsent(m.name(),
                n -> new FleetPlan.Calibration(m, calKey, calibrations.calibration(calKey).isPresent()));
          }
        }
      }
    }
    return new FleetPlan(planned, calibrationsNeeded, unplannable);
  }

  private CalibrationKey calibrationKey(ModelSpec m, String modelDigest) {
    ModelSpec.CalibrationSpec c = m.calibration();
    return new CalibrationKey(m.name(), modelDigest, digests.tree(c.dataUri(), "calibration data"),
        c.algorithm().name(), c.samples());
  }

  /**
   * Everything besides model and calibration that shapes the target: a change rebuilds it. The image binding
   * shapes only GPU engines ({@code gpu}).
   */
  static String optionsDigest(ModelSpec m, Precision p, boolean gpu) {
    List<String> parts = new ArrayList<>(List.of("format=" + CONVERSION_FORMAT, "tags=" + m.tags(),
        "signature=" + m.signature(), "precision=" + p.name()));
    for (OptimizationProfile profile : m.profiles()) {
      StringBuilder s = new StringBuilder("profile=");
      profile.inputs().forEach((in, d) -> s.append(in).append(':').append(Arrays.toString(d.min()))
          .append(Arrays.toString(d.opt())).append(Arrays.toString(d.max())).append(';'));
      parts.add(s.toString());
    }
    // Only a binding other than the default joins the digest: targets published before it existed stay current.
    if (gpu && m.imageBinding() != ImageBinding.CHANNEL_LAST) {
      parts.add("image_binding=" + m.imageBinding());
    }
    return Digests.text(parts.toArray(String[]::new));
  }
}
