package io.trtfleet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.trtfleet.TrtfleetException;
import io.trtfleet.convert.ConversionOptions;
import io.trtfleet.convert.ConversionResult;
import io.trtfleet.convert.OnnxSegmentConverter;
import io.trtfleet.convert.WholeGraphSegment;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.segment.Segment;
import io.trtfleet.segment.SegmentedGraph;
import io.trtfleet.segment.Segmenter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trtfleet export-onnx}: segments any SavedModel (the segmentation options of {@code convert}),
 * converts each TensorRT segment to {@code <segment>.onnx}, the whole signature to {@code model.onnx} when
 * it converts fully, and writes {@code segments.json} (boundary tensors, precision, conversion report or
 * fallback reason of each). Exit 2 only when nothing converts.
 */
@Command(name = "export-onnx", mixinStandardHelpOptions = true,
    description = "Convert a SavedModel's TensorRT segments to ONNX (opset 19): <out>/<segment>.onnx,"
        + " <out>/model.onnx when the whole model converts, and <out>/segments.json.")
public final class ExportOnnxCommand implements Callable<Integer> {

  @Mixin
  ModelOptions model;

  @Mixin
  ConversionOptionsMixin conversion;

  @Mixin
  SegmenterOptionsMixin segmentation;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory")
  Path out;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ConversionOptions options = conversion.options();
    OutputDirectory.check(out);
    FrozenGraph graph = SavedModelImporter.importModel(model.importOptions()).graph();
    Files.createDirectories(out);
    PrintWriter o = spec.commandLine().getOut();
    SegmentedGraph segmented = new Segmenter(segmentation.options(options.precision().tfTrtMode())).segment(graph);
    List<Map<String, Object>> segments = new ArrayList<>();
    int written = 0;
    for (Segment s : segmented.segments()) {
      ConversionResult r = OnnxSegmentConverter.convert(graph, s, options);
      String file = s.name() + ".onnx";
      segments.add(segmentJson(r, file));
      if (r.isConverted()) {
        Files.write(out.resolve(file), r.converted().onnx());
        written++;
        o.printf("%s: %d nodes -> %s%n", s.name(), s.nodes().size(), out.resolve(file));
      } else {
        o.printf("%s: stays in TensorFlow: %s%n", s.name(), r.fallbackReason());
      }
    }
    ConversionResult whole = OnnxSegmentConverter.convert(graph, WholeGraphSegment.of(graph), options);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("model", model.model.toString());
    json.put("precision", options.precision().name());
    json.put("shapes", segmented.options().shapes().cliName());
    json.put("whole_model", segmentJson(whole, "model.onnx"));
    json.put("segments", segments);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("segments.json").toFile(), json);
    if (whole.isConverted()) {
      Files.write(out.resolve("model.onnx"), whole.converted().onnx());
      o.println(whole.converted().report().summary());
      o.printf("Wrote %s (whole model, %d bytes), %d segment file(s) and %s%n", out.resolve("model.onnx"),
          whole.converted().onnx().length, written, out.resolve("segments.json"));
    } else {
      o.printf("The whole model does not convert (%s); wrote %d segment file(s) and %s%n", whole.fallbackReason(),
          written, out.resolve("segments.json"));
      if (written == 0) {
        throw new TrtfleetException("no part of " + model.model + " converts to ONNX: " + (segmented.segments().isEmpty()
            ? "no TensorRT segment (" + segmented.notConverted().size() + " nodes stay in TensorFlow)"
            : segmented.segments().size() + " segment(s) fall back") + ", and the whole model: "
            + whole.fallbackReason() + "; see " + out.resolve("segments.json"));
      }
    }
    o.flush();
    return 0;
  }

  static Map<String, Object> segmentJson(ConversionResult r, String file) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", r.segment().name());
    m.put("nodes", r.segment().nodes().size());
    m.put("inputs", r.segment().inputs().stream().map(ExportOnnxCommand::tensorJson).toList());
    m.put("outputs", r.segment().outputs().stream().map(ExportOnnxCommand::tensorJson).toList());
    m.put("converted", r.isConverted());
    if (r.isConverted()) {
      var report = r.converted().report();
      m.put("onnx", file);
      m.put("onnx_ops", report.onnxOps());
      m.put("folded", report.folded());
      m.put("unquantized", report.unquantized());
      m.put("notes", report.notes());
      m.put("convert_ms", report.millis());
    } else {
      m.put("fallback_reason", r.fallbackReason());
    }
    return m;
  }

  private static Map<String, Object> tensorJson(TensorSpec t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", t.name());
    m.put("dtype", t.dtypeName());
    m.put("shape", TensorSpec.boxed(t.shape()));
    return m;
  }
}
