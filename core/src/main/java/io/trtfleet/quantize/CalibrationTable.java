package io.trtfleet.quantize;

import io.trtfleet.TrtfleetException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Per-tensor INT8 ranges: the result of calibration and the input of Q/DQ insertion. Symmetric,
 * narrow range: scale = amax / 127. Reads and writes TensorRT's text calibration cache
 * ({@code TRT-<version>-<Algorithm>} then {@code <tensor>: <hex of float32 scale>} per line).
 */
public record CalibrationTable(String header, Map<String, Float> scales) {

  public static final float QMAX = 127f;

  public CalibrationTable {
    if (header == null || !header.startsWith("TRT-")) {
      throw new IllegalArgumentException("calibration cache header must look like TRT-100600-EntropyCalibration2");
    }
    scales = Collections.unmodifiableMap(new TreeMap<>(scales));
  }

  /** A table from amax values; the header names TensorRT's version and the algorithm. */
  public static CalibrationTable fromAmax(String header, Map<String, Float> amax) {
    Map<String, Float> scales = new LinkedHashMap<>();
    amax.forEach((t, a) -> scales.put(t, a / QMAX));
    return new CalibrationTable(header, scales);
  }

  public Optional<Float> scale(String tensor) {
    return Optional.ofNullable(scales.get(tensor));
  }

  public Optional<Float> amax(String tensor) {
    return scale(tensor).map(s -> s * QMAX);
  }

  /** The cache text: header, then one {@code name: hex} line per tensor, sorted by name. */
  public String toCacheText() {
    StringBuilder sb = new StringBuilder(header).append('\n');
    scales.forEach((t, s) -> sb.append(t).append(": ")
        .append(Integer.toHexString(Float.floatToRawIntBits(s))).append('\n'));
    return sb.toString();
  }

  public void write(Path file) throws IOException {
    Files.writeString(file, toCacheText(), StandardCharsets.UTF_8);
  }

  /** Reads a cache written by us, TensorRT or ModelOpt. Tensor names may hold ':', so split at the last ": ". */
  public static CalibrationTable read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new TrtfleetException("calibration cache " + file + " does not exist: pass the calibration.cache written"
          + " by trtfleet calibrate", e);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new TrtfleetException(file + " is not a TensorRT calibration cache (not text): pass the calibration.cache"
          + " written by trtfleet calibrate or TensorRT", e);
    } catch (IOException e) {
      throw new TrtfleetException("cannot read calibration cache " + file + ": " + e.getMessage(), e);
    }
    return parse(lines, file.toString());
  }

  public static CalibrationTable parse(List<String> lines, String source) {
    if (lines.isEmpty() || !lines.get(0).startsWith("TRT-")) {
      throw new TrtfleetException(source + " is not a TensorRT calibration cache (first line must start with"
          + " TRT-): pass the calibration.cache written by trtfleet calibrate or TensorRT");
    }
    Map<String, Float> scales = new LinkedHashMap<>();
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      int sep = line.lastIndexOf(": ");
      if (sep <= 0) {
        throw new TrtfleetException(source + " line " + (i + 1) + " is not '<tensor>: <hex scale>': " + line);
      }
      try {
        int bits = Integer.parseUnsignedInt(line.substring(sep + 2).strip(), 16);
        scales.put(line.substring(0, sep), Float.intBitsToFloat(bits));
      } catch (NumberFormatException e) {
        throw new TrtfleetException(source + " line " + (i + 1) + " has a scale that is not hex: " + line, e);
      }
    }
    return new CalibrationTable(lines.get(0).strip(), scales);
  }
}
