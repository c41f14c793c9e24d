package io.trtfleet.fleet;

import java.util.List;
import java.util.Map;

/**
 * Every target of the fleet with its key and whether it is already published, the calibrations the
 * targets still to build need (by model), each marked cached or not, and the models that could not be
 * planned at all (unreadable SavedModel or calibration data), with why.
 */
public record FleetPlan(List<Planned> targets, Map<String, Calibration> calibrations, Map<String, String> unplannable) {

  public FleetPlan {
    targets = List.copyOf(targets);
    calibrations = Map.copyOf(calibrations);
    unplannable = Map.copyOf(unplannable);
  }

  /**
   * A target and the result it was published with, or null when it must be built; {@code damage} says
   * why a published build is rebuilt (its files no longer match its manifest), else null.
   */
  public record Planned(Target target, TargetResult published, String damage) {
    public boolean needsBuild() {
      return published == null;
    }
  }

  /** An INT8 calibration a build needs; {@code cached} when the store holds it under this key. */
  public record Calibration(ModelSpec model, CalibrationKey key, boolean cached) {}

  public List<Target> toBuild() {
    return targets.stream().filter(Planned::needsBuild).map(Planned::target).toList();
  }

  public List<Calibration> toCalibrate() {
    return calibrations.values().stream().filter(c -> !c.cached()).toList();
  }
}
