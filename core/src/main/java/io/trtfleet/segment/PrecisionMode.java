package io.trtfleet.segment;

import io.trtfleet.TrtfleetException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** TensorRT precision of the engines, as TF-TRT's {@code precision_mode}. */
public enum PrecisionMode {
  FP32,
  FP16,
  INT8;

  /** Parses {@code fp16}, {@code FP16}, ...; an unknown name is a user error. */
  public static PrecisionMode parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new TrtfleetException("Invalid precision mode '" + name + "': use one of "
          + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
    }
  }
}
