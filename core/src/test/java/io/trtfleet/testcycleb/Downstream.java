package io.trtfleet.testcycleb;

import io.trtfleet.testcyclea.Upstream;

/** The other half of the deliberate cycle ({@code ArchitectureTest.cycleRuleFailsOnACycle}). */
public final class Downstream {
  Upstream back;
}
