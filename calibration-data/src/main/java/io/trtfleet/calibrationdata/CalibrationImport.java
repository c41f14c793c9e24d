package io.trtfleet.calibrationdata;

import io.trtfleet.TrtfleetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One import of samples (IDX, NPY or CSV) into a Parquet calibration set: open the source, optionally
 * draw a deterministic (and optionally label-stratified) subset, check every value is finite, write it
 * with {@link CalibrationSetWriter}. Built and checked by {@link #builder}; {@link #run()} does the work.
 */
public final class CalibrationImport {

  private static final Logger LOG = LoggerFactory.getLogger(CalibrationImport.class);

  public static final String DEFAULT_INPUT_NAME = "images";
  public static final long DEFAULT_SEED = 42;

  /** Source formats. */
  public enum Format {
    IDX, NPY, CSV;

    public static Format parse(String s) {
      try {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Invalid --format '" + s + "': use idx, npy or csv");
      }
    }
  }

  /** What an import wrote. */
  public record Result(Path out, String source, String column, long[] sampleShape, int rows, int sourceSamples,
      Map<Integer, Integer> classCounts, String split, long bytes) {}

  private final Format format;
  private final Path input;
  private final Path labels;
  private final String labelColumn;
  private final Boolean csvHeader;
  private final Path out;
  private final String inputName;
  private final long[] shape;
  private final int sample;
  private final boolean stratify;
  private final long seed;
  private final String split;
  private final Scaling scaling;
  private final CompressionCodecName compression;
  private final boolean overwrite;

  private CalibrationImport(Builder b) {
    this.format = b.format;
    this.input = b.input;
    this.labels = b.labels;
    this.labelColumn = b.labelColumn;
    this.csvHeader = b.csvHeader;
    this.out = b.out;
    this.inputName = b.inputName;
    this.shape = b.shape;
    this.sample = b.sample;
    this.stratify = b.stratify;
    this.seed = b.seed;
    this.split = b.split;
    this.scaling = b.scaling;
    this.compression = b.compression;
    this.overwrite = b.overwrite;
  }

  public static Builder builder(Format format, Path input, Path out) {
    return new Builder(format, input, out);
  }

  /** Opens the source this import reads. */
  SampleSource open() {
    if (!Files.exists(input)) {
      throw new TrtfleetException("input " + input + " does not exist");
    }
    return switch (format) {
      case IDX -> IdxSamples.open(input, labels, stratify, scaling);
      case NPY -> NpySamples.open(input, labels, scaling);
      case CSV -> CsvSamples.open(input, labelColumn, csvHeader, scaling);
    };
  }

  public Result run() {
    long start = System.nanoTime();
    if (Files.exists(out) && !overwrite) {  // before reading the source; the writer checks again
      throw new TrtfleetException("output " + out + " exists: pass --overwrite to replace it or choose another --out");
    }
    SampleSource source = open();
    if (source.size() == 0) {
      throw new TrtfleetException(source.description() + " holds no samples: a calibration set needs a few"
          + " thousand representative ones");
    }
    long[] sampleShape = shape != null ? shape : source.sampleShape();
    long elements = Arrays.stream(sampleShape).reduce(1, Math::multiplyExact);
    if (elements != source.sampleSize()) {
      throw new TrtfleetException("--shape " + shapeString(sampleShape) + " holds " + elements + " values but each sample of "
          + source.description() + " has " + source.sampleSize() + " (shape " + shapeString(source.sampleShape())
          + "): give a shape with the same number of values");
    }
    if (stratify && !source.hasLabels()) {
      throw new TrtfleetException("--stratify-by label needs labels, and " + source.description() + " has none: "
          + (format == Format.CSV ? "name the label column with --label-column" : "pass --labels FILE"));
    }
    if (sample > source.size()) {
      throw new TrtfleetException("--sample " + sample + " is more than the " + source.size() + " samples of "
          + source.description() + ": sample at most " + source.size() + " or leave --sample out to take all");
    }
    int[] rows = sample == 0 ? Sampling.all(source.size())
        : stratify ? Sampling.stratified(source.labels(), sample, seed)
        : Sampling.uniform(source.size(), sample, seed);

    CalibrationSetWriter.Builder w = CalibrationSetWriter.builder(out, inputName, sampleShape)
        .labels(source.hasLabels())
        .split(split)
        .compression(compression)
        .overwrite(overwrite)
        .provenance("format", format.name().toLowerCase(Locale.ROOT))
        .provenance("input", source.description())
        .provenance("samples_in_input", source.size())
        .provenance("divide_by", scaling.toString());
    if (sample > 0) {
      w.provenance("sample", sample).provenance("seed", seed);
      if (stratify) {
        w.provenance("stratify_by", "label");
      }
    }
    Map<Integer, Integer> classCounts = new TreeMap<>();
    Path written;
    try (CalibrationSetWriter writer = w.build()) {
      float[] values = new float[source.sampleSize()];
      for (int index : rows) {
        source.copySample(index, values);
        for (int k = 0; k < values.length; k++) {
          if (!Float.isFinite(values[k])) {
            throw new TrtfleetException(source.description() + ": sample " + index + " holds " + values[k]
                + " at element " + k + ": calibration inputs must be finite; fix or drop that sample");
          }
        }
        if (source.hasLabels()) {
          int label = source.label(index);
          classCounts.merge(label, 1, Integer::sum);
          writer.write(values, label);
        } else {
          writer.write(values);
        }
      }
      written = writer.commit();
    }
    long bytes = written.toFile().length();
    LOG.info("imported {} of {} samples from {} into {} ({} bytes) in {} ms", rows.length, source.size(),
        source.description(), written, bytes, (System.nanoTime() - start) / 1_000_000);
    return new Result(written, source.description(), inputName, sampleShape, rows.length, source.size(),
        classCounts, split, bytes);
  }

  static String shapeString(long[] shape) {
    return Arrays.toString(shape).replace(" ", "");
  }

  /** Parses {@code 28,28,1} (brackets and spaces allowed). */
  public static long[] parseShape(String s) {
    String t = s.trim().replace("[", "").replace("]", "").replace("(", "").replace(")", "");
    try {
      long[] dims = Arrays.stream(t.split(",")).map(String::trim).filter(x -> !x.isEmpty())
          .mapToLong(Long::parseLong).toArray();
      if (dims.length == 0 || Arrays.stream(dims).anyMatch(d -> d <= 0)) {
        throw new NumberFormatException();
      }
      return dims;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Invalid --shape '" + s + "': positive dimensions such as 28,28,1");
    }
  }

  /** Import options; {@link #build()} checks them. */
  public static final class Builder {
    private final Format format;
    private final Path input;
    private final Path out;
    private Path labels;
    private String labelColumn;
    private Boolean csvHeader;
    private String inputName = DEFAULT_INPUT_NAME;
    private long[] shape;
    private int sample;
    private boolean stratify;
    private long seed = DEFAULT_SEED;
    private String split;
    private Scaling scaling = Scaling.AUTO;
    private CompressionCodecName compression = CalibrationSetWriter.DEFAULT_COMPRESSION;
    private boolean overwrite;

    private Builder(Format format, Path input, Path out) {
      this.format = format;
      this.input = input;
      this.out = out;
    }

    /** IDX or NPY labels file (IDX: defaults to the images file's sibling {@code *labels*}). */
    public Builder labels(Path labels) {
      this.labels = labels;
      return this;
    }

    /** CSV: the label column (name, or 0-based index without a header). */
    public Builder labelColumn(String labelColumn) {
      this.labelColumn = labelColumn;
      return this;
    }

    /** CSV: whether the first row is a header; null (default) to detect it. */
    public Builder csvHeader(Boolean csvHeader) {
      this.csvHeader = csvHeader;
      return this;
    }

    /** The input column's name: the signature input key it feeds (default {@value #DEFAULT_INPUT_NAME}). */
    public Builder inputName(String inputName) {
      this.inputName = inputName;
      return this;
    }

    /** Per-sample shape to record (default: the source's); must hold as many values as a sample. */
    public Builder shape(long[] shape) {
      this.shape = shape == null ? null : shape.clone();
      return this;
    }

    /** Draw this many samples (0: all, in source order). */
    public Builder sample(int sample) {
      this.sample = sample;
      return this;
    }

    /** Stratify the sample by label (per-class proportional shares). */
    public Builder stratifyByLabel(boolean stratify) {
      this.stratify = stratify;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Value of the {@code split} column; null for no split column. */
    public Builder split(String split) {
      this.split = split;
      return this;
    }

    public Builder scaling(Scaling scaling) {
      this.scaling = scaling;
      return this;
    }

    public Builder compression(CompressionCodecName compression) {
      this.compression = compression;
      return this;
    }

    public Builder overwrite(boolean overwrite) {
      this.overwrite = overwrite;
      return this;
    }

    public CalibrationImport build() {
      if (format == null || input == null || out == null) {
        throw new IllegalArgumentException("Invalid import: format, input and output are required");
      }
      if (sample < 0) {
        throw new IllegalArgumentException("Invalid --sample " + sample + ": must be positive (or 0 for all)");
      }
      if (stratify && sample == 0) {
        throw new IllegalArgumentException("Invalid --stratify-by without --sample: stratification draws a sample");
      }
      if (labelColumn != null && format != Format.CSV) {
        throw new IllegalArgumentException("Invalid --label-column for " + format.name().toLowerCase(Locale.ROOT)
            + ": only CSV has label columns; pass --labels FILE");
      }
      if (labels != null && format == Format.CSV) {
        throw new IllegalArgumentException("Invalid --labels for csv: name the label column with --label-column");
      }
      if (shape != null && (shape.length == 0 || Arrays.stream(shape).anyMatch(d -> d <= 0))) {
        throw new IllegalArgumentException("Invalid --shape " + Arrays.toString(shape) + ": positive dimensions required");
      }
      if (input.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
        throw new IllegalArgumentException("Invalid --out " + out + ": it is the input");
      }
      return new CalibrationImport(this);
    }
  }
}
