package io.trtfleet.segment;

import io.trtfleet.TrtfleetException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How engines treat shapes, which decides what can convert.
 *
 * <ul>
 *   <li>{@link #STATIC}: TF-TRT's implicit batch mode ({@code use_dynamic_shape=False}): dimension 0 is
 *       the batch, no op may touch it, every other dimension must be known and scalars cannot be fed.
 *   <li>{@link #DYNAMIC}: TF-TRT's dynamic shapes: any dimension may be unknown, ops may use the batch
 *       dimension like any other; engines need optimization profiles for every unknown dimension.
 *   <li>{@link #DYNAMIC_BATCH} (the default): dynamic shapes inside engines, but every segment input is
 *       static except its first dimension, so an engine builds from batch sizes alone (what
 *       {@code trtfleet build} needs) while shape arithmetic, attention and layer norm convert.
 * </ul>
 */
public enum ShapeMode {
  STATIC, DYNAMIC, DYNAMIC_BATCH;

  public static final ShapeMode DEFAULT = DYNAMIC_BATCH;

  /** {@code static}, {@code dynamic}, {@code dynamic-batch} (any case, - or _). */
  public static ShapeMode parse(String s) {
    String key = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (ShapeMode m : values()) {
      if (m.name().equals(key)) {
        return m;
      }
    }
    throw new TrtfleetException("Invalid shape mode '" + s + "': use one of " + Arrays.stream(values())
        .map(ShapeMode::cliName).collect(Collectors.joining(", ")));
  }

  /** The CLI spelling: {@code dynamic-batch}. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
