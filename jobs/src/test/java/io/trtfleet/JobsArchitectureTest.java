package io.trtfleet;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The whole product (core, calibration-data, jobs) has no package cycles, and the fleet job does not
 * call the CLI: both are doors into the same stages. (The rule's ability to fail is tested in core.)
 */
class JobsArchitectureTest {

  /** Main classes only: core's test-jar (fixtures, harnesses) is on this module's test classpath too. */
  private static final JavaClasses ALL = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .withImportOption(location -> !location.contains("-tests.jar"))
      .importPackages("io.trtfleet");

  @Test
  void packagesHaveNoCycles() {
    slices().matching("io.trtfleet.(*)..").should().beFreeOfCycles().check(ALL);
  }

  @Test
  void fleetAndSparkDoNotCallTheCli() {
    noClasses().that().resideInAnyPackage("io.trtfleet.fleet..", "io.trtfleet.spark..")
        .should().dependOnClassesThat().resideInAPackage("io.trtfleet.cli..").check(ALL);
  }
}
