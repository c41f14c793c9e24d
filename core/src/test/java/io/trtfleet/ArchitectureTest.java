package io.trtfleet;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The pipeline's packages depend one way: no package cycles, and the shared vocabulary in
 * {@code io.trtfleet} itself (exceptions, {@link Precision}) depends on no stage.
 */
class ArchitectureTest {

  /** One package per stage: {@code io.trtfleet.segment..}, {@code io.trtfleet.onnx..}, ... */
  static final ArchRule NO_CYCLES = slices().matching("io.trtfleet.(*)..").should().beFreeOfCycles();

  static final ArchRule ROOT_DEPENDS_ON_NO_STAGE = noClasses().that().resideInAPackage("io.trtfleet")
      .should().dependOnClassesThat().resideInAPackage("io.trtfleet.*..");

  private static JavaClasses core() {
    return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.trtfleet");
  }

  @Test
  void corePackagesHaveNoCycles() {
    NO_CYCLES.check(core());
  }

  @Test
  void sharedVocabularyDependsOnNoStage() {
    ROOT_DEPENDS_ON_NO_STAGE.check(core());
  }

  @Test
  void cycleRuleFailsOnACycle() {
    JavaClasses cyclic = new ClassFileImporter().importPackages("io.trtfleet.testcyclea", "io.trtfleet.testcycleb");
    assertThrows(AssertionError.class, () -> NO_CYCLES.check(cyclic));
  }
}
