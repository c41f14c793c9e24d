package io.trtfleet.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.Precision;
import io.trtfleet.convert.WholeGraphSegment;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.HostTensor;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.quantize.CalibrationTable;
import io.trtfleet.segment.Segment;
import io.trtfleet.sensitivity.SensitivityAnalysis;
import io.trtfleet.sensitivity.SensitivityReport;
import io.trtfleet.sensitivity.VariantRunner;
import io.trtfleet.testing.MinMaxTables;
import io.trtfleet.testing.TestModels;
import io.trtfleet.verify.ValidationGates;
import io.trtfleet.verify.Verifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sensitivity through a build backend (what runs on TensorRT with a GPU) gives, on the ONNX Runtime
 * backend, the report the direct ONNX Runtime runner gives, and leaves no scratch folder behind.
 */
class BackendVariantRunnerTest {

  @TempDir Path tmp;

  @Test
  void theBackendPathScoresEveryVariantAsTheDirectOneAndCleansUp() throws IOException {
    FrozenGraph g = SavedModelImporter.importModel(ImportOptions.of(TestModels.outlierMlp(tmp.resolve("m")))).graph();
    Segment whole = WholeGraphSegment.of(g);
    List<Verifier.Batch> batches = List.of(
        new Verifier.Batch(Map.of("images", HostTensor.ofFloats(new long[] {40, 32}, TestModels.randomInput(1, 40 * 32))),
            null),
        new Verifier.Batch(Map.of("images", HostTensor.ofFloats(new long[] {24, 32}, TestModels.randomInput(2, 24 * 32))),
            null));
    CalibrationTable table = MinMaxTables.of(g, whole, batches.stream().map(b -> Map.of("images:0", b.inputs().get("images")))
        .toList());
    long scratchBefore = scratchFolders();
    SensitivityReport direct = analysis(table, VariantRunner.onnxRuntime(1)).run("m", g, List.of(whole), batches, l -> { });
    SensitivityReport viaBackend = analysis(table, new BackendVariantRunner(new OnnxRuntimeBackend(1), Precision.INT8,
        BuildSettings.builder().batchSizes(List.of(24, 40)).build())).run("m", g, List.of(whole), batches, l -> { });

    assertEquals(3, direct.ranking().size());
    assertEquals(direct.ranking(), viaBackend.ranking());
    assertEquals(direct.segments(), viaBackend.segments());
    assertEquals("ONNX Runtime on the CPU", direct.runOn());
    assertEquals(new OnnxRuntimeBackend(1).description(), viaBackend.runOn(), "the report says what ran the variants");
    assertTrue(direct.ranking().get(0).onlyQuantized().relativeRmsError() > 0.5, "the outlier tensor first");
    assertEquals(scratchBefore, scratchFolders(), "every variant's scratch folder deleted");
  }

  private static SensitivityAnalysis analysis(CalibrationTable table, VariantRunner runner) {
    return new SensitivityAnalysis(Precision.INT8, table, ValidationGates.defaults().gate(Precision.INT8), true, runner);
  }

  private static long scratchFolders() throws IOException {
    try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(p -> p.getFileName().toString().startsWith("trtfleet-sensitivity-")).count();
    }
  }
}
