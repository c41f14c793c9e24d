package io.trtfleet.cli;

import io.trtfleet.Precision;
import io.trtfleet.segment.SegmenterOptions;
import io.trtfleet.segment.ShapeMode;
import picocli.CommandLine.Option;

/** How to segment (shapes, segment size, engines, denylist): shared by convert, export-onnx, verify and build. */
public final class SegmenterOptionsMixin {

  @Option(names = "--shapes", paramLabel = "MODE", defaultValue = "dynamic-batch",
      description = "static (TF-TRT implicit batch), dynamic (any dimension unknown; engines need profiles for"
          + " each) or dynamic-batch (dynamic inside engines, segment inputs static but for the batch: every"
          + " engine builds from batch sizes) (default: ${DEFAULT-VALUE})")
  String shapes;

  @Option(names = "--dynamic-shapes", description = "the same as --shapes dynamic (TF-TRT use_dynamic_shape)")
  boolean dynamicShapes;

  @Option(names = "--minimum-segment-size", defaultValue = "3", paramLabel = "N",
      description = "smallest segment turned into an engine, Identity-like ops not counted; -1 converts"
          + " nothing (default: ${DEFAULT-VALUE})")
  int minimumSegmentSize;

  @Option(names = "--maximum-engines", defaultValue = "20", paramLabel = "N",
      description = "keep at most N engines, the largest segments (default: ${DEFAULT-VALUE})")
  int maximumEngines;

  @Option(names = "--denylist", defaultValue = "", paramLabel = "OP,OP",
      description = "op types never converted, comma-separated (e.g. Conv2D,MaxPool)")
  String denylist;

  SegmenterOptions options(Precision precision) {
    return SegmenterOptions.builder()
        .precision(precision)
        .minimumSegmentSize(minimumSegmentSize)
        .maximumEngines(maximumEngines)
        .denylist(denylist)
        .shapes(dynamicShapes ? ShapeMode.DYNAMIC : ShapeMode.parse(shapes))
        .build();
  }
}
