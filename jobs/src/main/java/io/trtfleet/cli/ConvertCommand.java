package io.trtfleet.cli;

import io.trtfleet.artifact.ConvertedSavedModel;
import io.trtfleet.artifact.TfTrtSavedModelWriter;
import io.trtfleet.artifact.TrtEngineOpSettings;
import io.trtfleet.convert.ProfileStrategy;
import io.trtfleet.importer.ImportedModel;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.report.ConversionReport;
import io.trtfleet.report.NonConversionReport;
import io.trtfleet.report.ReportWriter;
import io.trtfleet.report.SummaryReport;
import io.trtfleet.Precision;
import io.trtfleet.segment.SegmentedGraph;
import io.trtfleet.segment.Segmenter;
import io.trtfleet.segment.SegmenterOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trtfleet convert}: segments a SavedModel into TensorRT engines as TF-TRT's {@code convert()}
 * does and writes the segmentation and its reports into {@code --out}, and the converted SavedModel in
 * TF-TRT's layout with every engine built at runtime ({@code trtfleet build} serializes them on a GPU).
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
    description = "Segment a SavedModel into TensorRT engines and write the conversion reports.")
public final class ConvertCommand implements Callable<Integer> {

  @Mixin
  ModelOptions model;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory")
  Path out;

  @Option(names = "--precision", defaultValue = "FP32", paramLabel = "MODE",
      description = "FP32, FP16 or INT8 (default: ${DEFAULT-VALUE})")
  String precision;

  @Mixin
  SegmenterOptionsMixin segmentation;

  @Option(names = "--no-build", description = "segment and report only, write no converted SavedModel")
  boolean noBuild;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    SegmenterOptions options = segmentation.options(Precision.parse(precision));
    OutputDirectory.check(out);
    if (!noBuild) {
      TfTrtSavedModelWriter.requireFresh(out);
    }
    ImportedModel imported = SavedModelImporter.importModel(model.importOptions());
    SegmentedGraph segmented = new Segmenter(options).segment(imported.graph());
    ConversionReport report = ConversionReport.of(model.model.toString(), segmented);
    List<Path> written = ReportWriter.write(report, segmented, out);
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.print(SummaryReport.text(report));
    stdout.println();
    stdout.print(NonConversionReport.text(report));
    stdout.println();
    written.forEach(p -> stdout.println("wrote " + p));
    if (!noBuild) {
      // No engines here: TF-TRT builds them when the SavedModel first runs (static_engine=false), or
      // `trtfleet build` on a GPU host writes the same layout with serialized engines.
      TrtEngineOpSettings settings = new TrtEngineOpSettings(Precision.parse(precision), ProfileStrategy.RANGE, 1,
          TrtEngineOpSettings.DEFAULT_WORKSPACE_BYTES, true);
      ConvertedSavedModel saved = new TfTrtSavedModelWriter(settings)
          .write(model.importOptions(), model.modelName(), segmented, Map.of(), out);
      stdout.println("wrote " + saved.savedModelDir() + " (TF-TRT layout; engines are built at runtime, or with"
          + " trtfleet build on a GPU host)");
    }
    stdout.flush();
    return 0;
  }
}
