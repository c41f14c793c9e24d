package io.trtfleet.store;

import java.util.Optional;

/**
 * The state of one key's build, checked byte for byte: {@code OK} (a manifest, and every file it lists
 * has the listed size and sha256), {@code MISSING} (no manifest: never published, or a publish that did
 * not commit) or {@code CORRUPT} (an unreadable manifest, or a file missing, truncated or changed). A
 * corrupt build must be rebuilt, never served; publishing the key again replaces it.
 */
public record Verification(TargetKey key, Status status, Optional<Manifest> manifest, String problem) {

  public enum Status { OK, MISSING, CORRUPT }

  static Verification ok(Manifest m) {
    return new Verification(m.key(), Status.OK, Optional.of(m), null);
  }

  static Verification missing(TargetKey key) {
    return new Verification(key, Status.MISSING, Optional.empty(), null);
  }

  static Verification corrupt(TargetKey key, Manifest m, String problem) {
    return new Verification(key, Status.CORRUPT, Optional.ofNullable(m), problem);
  }

  public boolean ok() {
    return status == Status.OK;
  }

  /** {@code ok}, {@code missing}, or {@code corrupt: file engines/a.plan sha256 mismatch (...)}. */
  public String describe() {
    return status == Status.CORRUPT ? "corrupt: " + problem : status.name().toLowerCase(java.util.Locale.ROOT);
  }
}
