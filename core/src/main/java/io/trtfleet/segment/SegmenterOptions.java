package io.trtfleet.segment;

import io.trtfleet.Precision;
import io.trtfleet.TrtfleetException;
import io.trtfleet.importer.OpRegistry;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * How to segment, with TF-TRT's defaults: {@code minimum_segment_size} 3 (-1 turns conversion off),
 * at most 20 engines ({@code TF_TRT_MAX_ALLOWED_ENGINES}, the largest segments are kept), no denylist
 * ({@code TF_TRT_OP_DENYLIST}), FP32; and shapes {@link ShapeMode#DYNAMIC_BATCH}, which converts more
 * than TF-TRT's implicit batch mode ({@link ShapeMode#STATIC}) while every engine still builds from batch
 * sizes. Build one with {@link #builder()}; the builder rejects values TF-TRT would reject.
 */
public record SegmenterOptions(int minimumSegmentSize, int maximumEngines, Set<String> denylist,
    Precision precision, ShapeMode shapes) implements Serializable {

  public static final int MINIMUM_SEGMENT_SIZE_DEFAULT = 3;
  public static final int MAXIMUM_ENGINES_DEFAULT = 20;
  /** {@code minimum_segment_size} that turns conversion off. */
  public static final int CONVERSION_DISABLED = -1;

  public SegmenterOptions {
    if (minimumSegmentSize < 1 && minimumSegmentSize != CONVERSION_DISABLED) {
      throw new TrtfleetException("Invalid minimum segment size " + minimumSegmentSize
          + ": use a number >= 1, or -1 to turn conversion off");
    }
    if (maximumEngines < 1) {
      throw new TrtfleetException("Invalid maximum engines " + maximumEngines + ": use a number >= 1");
    }
    TreeSet<String> sorted = new TreeSet<>(denylist);
    sorted.forEach(SegmenterOptions::checkOp);
    denylist = Set.copyOf(sorted);
    if (precision == null) {
      throw new TrtfleetException("Invalid precision mode: null; use FP32, FP16 or INT8");
    }
    if (shapes == null) {
      throw new TrtfleetException("Invalid shape mode: null; use static, dynamic or dynamic-batch");
    }
  }

  /** True unless engines run in TF-TRT's implicit batch mode ({@link ShapeMode#STATIC}). */
  public boolean dynamicShapes() {
    return shapes != ShapeMode.STATIC;
  }

  public static SegmenterOptions defaults() {
    return builder().build();
  }

  /** The same options for another precision (a build segments once per precision). */
  public SegmenterOptions withPrecision(Precision p) {
    return new SegmenterOptions(minimumSegmentSize, maximumEngines, denylist, p, shapes);
  }

  public static Builder builder() {
    return new Builder();
  }

  public boolean conversionDisabled() {
    return minimumSegmentSize == CONVERSION_DISABLED;
  }

  /** A denylisted op must be an op TensorFlow knows, so that a typo does not pass silently. */
  private static void checkOp(String op) {
    if (OpRegistry.get().op(op).isPresent()) {
      return;
    }
    String hint = OpSupport.get().supportedOps().stream()
        .filter(s -> s.toLowerCase(Locale.ROOT).equals(op.toLowerCase(Locale.ROOT)))
        .findFirst().map(s -> " (did you mean " + s + "?)").orElse("");
    throw new TrtfleetException("Invalid denylist op '" + op + "': TensorFlow has no op of that name" + hint
        + "; op names are case-sensitive, e.g. Conv2D,FusedBatchNormV3");
  }

  /** A validating builder; {@link #build()} checks every value. */
  public static final class Builder {
    private int minimumSegmentSize = MINIMUM_SEGMENT_SIZE_DEFAULT;
    private int maximumEngines = MAXIMUM_ENGINES_DEFAULT;
    private Set<String> denylist = Set.of();
    private Precision precision = Precision.FP32;
    private ShapeMode shapes = ShapeMode.DEFAULT;

    private Builder() {}

    public Builder minimumSegmentSize(int size) {
      this.minimumSegmentSize = size;
      return this;
    }

    public Builder maximumEngines(int engines) {
      this.maximumEngines = engines;
      return this;
    }

    public Builder denylist(Collection<String> ops) {
      this.denylist = Set.copyOf(ops);
      return this;
    }

    /** Comma-separated op names, as {@code TF_TRT_OP_DENYLIST} and the CLI take them. */
    public Builder denylist(String commaSeparated) {
      return denylist(Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty())
          .toList());
    }

    public Builder precision(Precision precision) {
      this.precision = precision;
      return this;
    }

    /** {@link ShapeMode#DYNAMIC} or {@link ShapeMode#STATIC}. */
    public Builder dynamicShapes(boolean dynamic) {
      return shapes(dynamic ? ShapeMode.DYNAMIC : ShapeMode.STATIC);
    }

    public Builder shapes(ShapeMode mode) {
      this.shapes = mode;
      return this;
    }

    public SegmenterOptions build() {
      return new SegmenterOptions(minimumSegmentSize, maximumEngines, denylist, precision, shapes);
    }
  }

  /** The denylist as a sorted list (reports print it). */
  public List<String> denylistSorted() {
    return List.copyOf(new TreeSet<>(denylist));
  }
}
