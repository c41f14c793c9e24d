package io.trtfleet.store;

import java.util.List;
import java.util.Optional;

/**
 * What a store holds for one model or all: the best build per (model, device, backend, precision) slot,
 * derived from the manifests themselves, and the manifests that could not be read. A damaged manifest
 * costs its own key only: it is listed here instead of failing the listing.
 */
public record Listing(List<IndexEntry> entries, List<Damaged> damaged) {

  public Listing {
    entries = List.copyOf(entries);
    damaged = List.copyOf(damaged);
  }

  /** A manifest that is unreadable or does not describe the folder it is in. */
  public record Damaged(String manifest, String problem) {

    /** The key its folders name, when they are valid key parts. */
    public Optional<TargetKey> key() {
      return StoreLayout.keyOf(manifest);
    }
  }
}
