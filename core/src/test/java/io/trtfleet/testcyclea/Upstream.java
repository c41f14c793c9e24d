package io.trtfleet.testcyclea;

import io.trtfleet.testcycleb.Downstream;

/** Half of a deliberate package cycle: proves {@code ArchitectureTest}'s cycle rule can fail. */
public final class Upstream {
  Downstream next;
}
