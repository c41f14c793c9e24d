package io.trtfleet.cli;

import io.trtfleet.calibrationdata.CalibrationImport;
import io.trtfleet.calibrationdata.CalibrationSetWriter;
import io.trtfleet.calibrationdata.Scaling;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trtfleet calibration-data import}: IDX, NPY or CSV samples to one Parquet calibration set. */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = "Convert IDX, NPY or CSV samples into a Parquet calibration set (parquet-avro, one local file).")
public final class CalibrationDataImportCommand implements Callable<Integer> {

  @Option(names = "--format", required = true, paramLabel = "idx|npy|csv", description = "source format")
  String format;

  @Option(names = "--input", required = true, paramLabel = "PATH",
      description = "samples: IDX images file (or a directory with one), .npy array [n,...], or CSV file")
  Path input;

  @Option(names = "--labels", paramLabel = "FILE",
      description = "IDX or .npy labels (IDX default: the images file's *labels* sibling, when present)")
  Path labels;

  @Option(names = "--label-column", paramLabel = "NAME|INDEX",
      description = "CSV label column (default: the column named 'label', if any)")
  String labelColumn;

  @Option(names = "--csv-header", defaultValue = "auto", paramLabel = "auto|yes|no",
      description = "whether the CSV's first row is a header (default: ${DEFAULT-VALUE}: yes if it holds a non-number)")
  String csvHeader;

  @Option(names = "--out", required = true, paramLabel = "FILE.parquet", description = "the Parquet file to write")
  Path out;

  @Option(names = "--input-name", defaultValue = CalibrationImport.DEFAULT_INPUT_NAME, paramLabel = "NAME",
      description = "input column name: the signature input it feeds (default: ${DEFAULT-VALUE})")
  String inputName;

  @Option(names = "--shape", paramLabel = "D1,D2,...",
      description = "per-sample shape to record, e.g. 28,28,1 (default: the source's; IDX images: rows,cols,1)")
  String shape;

  @Option(names = "--sample", defaultValue = "0", paramLabel = "N", description = "draw N samples (default: all, in order)")
  int sample;

  @Option(names = "--stratify-by", paramLabel = "label", description = "stratify the sample by class label")
  String stratifyBy;

  @Option(names = "--seed", defaultValue = "" + CalibrationImport.DEFAULT_SEED, paramLabel = "S",
      description = "sampling seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--split", paramLabel = "NAME", description = "value of the split column, e.g. calibration (default: no split column)")
  String split;

  @Option(names = "--divide-by", defaultValue = "auto", paramLabel = "auto|X",
      description = "stored value = raw / X; auto: 255 for unsigned bytes (IDX, npy |u1), else 1 (default: ${DEFAULT-VALUE})")
  String divideBy;

  @Option(names = "--compression", defaultValue = "zstd", paramLabel = "CODEC",
      description = "zstd, snappy, gzip, lz4_raw or none (default: ${DEFAULT-VALUE})")
  String compression;

  @Option(names = "--overwrite", description = "replace --out if it exists")
  boolean overwrite;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (stratifyBy != null && !stratifyBy.equals("label")) {
      throw new IllegalArgumentException("Invalid --stratify-by '" + stratifyBy + "': only label is supported");
    }
    CalibrationImport.Result r = CalibrationImport.builder(CalibrationImport.Format.parse(format), input, out)
        .labels(labels)
        .labelColumn(labelColumn)
        .csvHeader(parseHeader(csvHeader))
        .inputName(inputName)
        .shape(shape == null ? null : CalibrationImport.parseShape(shape))
        .sample(sample)
        .stratifyByLabel(stratifyBy != null)
        .seed(seed)
        .split(split)
        .scaling(Scaling.parse(divideBy))
        .compression(CalibrationSetWriter.compression(compression))
        .overwrite(overwrite)
        .build()
        .run();
    PrintWriter o = spec.commandLine().getOut();
    o.printf("Wrote %s: %d of %d samples from %s%n", r.out(), r.rows(), r.sourceSamples(), r.source());
    o.printf("  column %s: array<float>, shape %s%s%n", r.column(), shapeString(r.sampleShape()),
        r.split() == null ? "" : "; split '" + r.split() + "'");
    if (!r.classCounts().isEmpty()) {
      o.printf("  labels: %d classes: %s%n", r.classCounts().size(), counts(r.classCounts()));
    }
    o.printf("  %,d bytes%n", r.bytes());
    o.flush();
    return 0;
  }

  private static Boolean parseHeader(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "auto" -> null;
      case "yes", "true" -> Boolean.TRUE;
      case "no", "false" -> Boolean.FALSE;
      default -> throw new IllegalArgumentException("Invalid --csv-header '" + s + "': use auto, yes or no");
    };
  }

  private static String shapeString(long[] shape) {
    return java.util.Arrays.toString(shape).replace(" ", "");
  }

  private static String counts(Map<Integer, Integer> counts) {
    StringBuilder b = new StringBuilder();
    counts.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append('=').append(v));
    return b.toString();
  }
}
