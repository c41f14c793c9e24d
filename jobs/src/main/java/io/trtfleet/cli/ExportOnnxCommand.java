package io.trtfleet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.trtfleet.TrtfleetException;
import io.trtfleet.convert.ConversionOptions;
import io.trtfleet.convert.ConversionResult;
import io.trtfleet.convert.ConvertedSegment;
import io.trtfleet.convert.OnnxSegmentConverter;
import io.trtfleet.convert.WholeGraphSegment;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.graph.TensorSpec;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.segment.Segment;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trtfleet export-onnx}: converts the model's segments to ONNX files plus {@code segments.json}
 * (boundary tensors, precision, conversion report or fallback reason). Until the segmenter lands the
 * only segment is the whole signature, written as {@code model.onnx} when it converts fully.
 */
@Command(name = "export-onnx", mixinStandardHelpOptions = true,
    description = "Convert a SavedModel's TensorRT segments to ONNX (opset 19) and write <out>/model.onnx and"
        + " <out>/segments.json.")
public final class ExportOnnxCommand implements Callable<Integer> {

  @Mixin
  ModelOptions model;

  @Mixin
  ConversionOptionsMixin conversion;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory")
  Path out;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ConversionOptions options = conversion.options();
    FrozenGraph graph = SavedModelImporter.importModel(model.importOptions()).graph();
    Segment whole = WholeGraphSegment.of(graph);
    ConversionResult result = OnnxSegmentConverter.convert(graph, whole, options);
    Files.createDirectories(out);
    PrintWriter o = spec.commandLine().getOut();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("model", model.model.toString());
    json.put("precision", options.precision().name());
    json.put("segments", List.of(segmentJson(result)));
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("segments.json").toFile(), json);
    if (!result.isConverted()) {
      throw new TrtfleetException("model " + model.model + " does not convert fully to ONNX (it stays in TensorFlow): "
          + result.fallbackReason() + "; wrote " + out.resolve("segments.json"));
    }
    ConvertedSegment c = result.converted();
    Files.write(out.resolve(whole.name() + ".onnx"), c.onnx());
    Files.write(out.resolve("model.onnx"), c.onnx());
    o.println(c.report().summary());
    o.printf("Wrote %s (%d bytes), %s and %s%n", out.resolve("model.onnx"), c.onnx().length,
        out.resolve(whole.name() + ".onnx"), out.resolve("segments.json"));
    o.flush();
    return 0;
  }

  static Map<String, Object> segmentJson(ConversionResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", r.segment().name());
    m.put("nodes", r.segment().nodes().size());
    m.put("inputs", r.segment().inputs().stream().map(ExportOnnxCommand::tensorJson).toList());
    m.put("outputs", r.segment().outputs().stream().map(ExportOnnxCommand::tensorJson).toList());
    m.put("converted", r.isConverted());
    if (r.isConverted()) {
      var report = r.converted().report();
      m.put("onnx", r.segment().name() + ".onnx");
      m.put("onnx_ops", report.onnxOps());
      m.put("folded", report.folded());
      m.put("unquantized", report.unquantized());
      m.put("dropped_qdq", report.droppedQdq());
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
