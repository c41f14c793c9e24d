package io.trtfleet.zoo;

import io.trtfleet.TrtfleetException;
import io.trtfleet.convert.ConversionOptions;
import io.trtfleet.convert.ConversionResult;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.importer.SavedModelReader;
import io.trtfleet.segment.SegmentedGraph;
import io.trtfleet.segment.Segmenter;
import io.trtfleet.segment.SegmenterOptions;
import io.trtfleet.segment.ShapeMode;
import io.trtfleet.verify.RandomInputs;
import io.trtfleet.verify.SegmentVerification;
import io.trtfleet.verify.Verifier;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One model of the zoo through what {@code trtfleet verify --data random:1} does, with the defaults a
 * user gets: import (the model's only tag set or signature when it lacks serve/serving_default), segment,
 * convert every TensorRT segment to FP32 ONNX, run each in ONNX Runtime on the tensors TensorFlow fed it.
 * A model either verifies or stops at one {@link TrtfleetException} line, which the outcome keeps.
 */
record ZooRun(String model, SegmenterOptions options, int nodes, int converted, List<String> segments,
    Map<String, double[]> errors, Map<String, String> fallbacks, String failure, long samples, long millis) {

  /** The FP32 bound of trtfleet verify. */
  static final double MAX_RELATIVE_ERROR = 1e-4;

  static ZooRun of(Path modelDir, ShapeMode shapes, int samples, int batchSize) {
    return of(modelDir, SegmenterOptions.builder().shapes(shapes).build(), samples, batchSize);
  }

  static ZooRun of(Path modelDir, SegmenterOptions options, int samples, int batchSize) {
    String model = modelDir.getFileName().toString();
    long start = System.nanoTime();
    int nodes = 0;
    int converted = 0;
    List<String> segments = List.of();
    Map<String, double[]> errors = new LinkedHashMap<>();
    Map<String, String> fallbacks = new LinkedHashMap<>();
    String failure = null;
    long compared = 0;
    try {
      FrozenGraph g = SavedModelImporter.importModel(SavedModelReader.resolveDefaults(
          ImportOptions.of(modelDir.resolve("saved_model")))).graph();
      nodes = g.nodes().size();
      SegmentedGraph s = new Segmenter(options).segment(g);
      converted = s.convertedNodes();
      segments = s.segments().stream().map(io.trtfleet.segment.Segment::name).toList();
      List<ConversionResult> conversions = SegmentVerification.convert(s, ConversionOptions.fp32());
      conversions.stream().filter(c -> !c.isConverted())
          .forEach(c -> fallbacks.put(c.segment().name(), c.fallbackReason()));
      Verifier.Result r = SegmentVerification.verify(g, conversions, RandomInputs.of(g, 1).batches(samples, batchSize), 2);
      compared = r.samples();
      r.segments().keySet().forEach(k -> errors.put(k, new double[] {r.maxAbsError(k), r.relativeRmsError(k)}));
      if (!r.unverified().isEmpty()) {
        var first = r.unverified().entrySet().iterator().next();
        failure = r.unverified().size() + " segment(s) not verified, " + first.getKey() + ": " + first.getValue();
      }
    } catch (TrtfleetException e) {
      failure = e.getMessage();
    }
    return new ZooRun(model, options, nodes, converted, segments, errors, fallbacks, failure, compared,
        (System.nanoTime() - start) / 1_000_000);
  }

  /** Every converted segment within the FP32 bound, nothing left unverified, no failure. */
  boolean verified() {
    return failure == null && errors.values().stream().allMatch(e -> e[1] <= MAX_RELATIVE_ERROR);
  }

  /** At least one TensorRT segment converted and within the bound. */
  boolean hasVerifiedSegment() {
    return errors.values().stream().anyMatch(e -> e[1] <= MAX_RELATIVE_ERROR);
  }

  double convertedShare() {
    return nodes == 0 ? 0 : (double) converted / nodes;
  }
}
