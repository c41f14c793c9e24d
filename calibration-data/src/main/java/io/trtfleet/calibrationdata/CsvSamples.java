package io.trtfleet.calibrationdata;

import io.trtfleet.TrtfleetException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Samples from a CSV file, one sample per row: comma-separated numbers, an optional header row, an
 * optional integer label column (by name with a header, by 0-based index without), and every other
 * column a feature in order (per-sample shape {@code [features]}; reshape on import). Simple CSV only:
 * no quoted fields containing commas; blank lines are skipped; surrounding spaces and quotes of a field
 * are dropped. Values are parsed as float32 and divided by the divisor (1 unless {@code --divide-by}).
 */
public final class CsvSamples implements SampleSource {

  /** The label column's default name: used when the header has it and no other column is named. */
  public static final String DEFAULT_LABEL = "label";

  private final String description;
  private final List<float[]> rows;
  private final int[] labels;
  private final int features;
  private final float divisor;

  private CsvSamples(String description, List<float[]> rows, int[] labels, int features, float divisor) {
    this.description = description;
    this.rows = rows;
    this.labels = labels;
    this.features = features;
    this.divisor = divisor;
  }

  /**
   * @param labelColumn the label column's name (files with a header) or 0-based index; null for the
   *     column named {@value #DEFAULT_LABEL} if the header has one, else no labels
   * @param header whether the first row is a header; null to decide from its content (a header holds a
   *     field that is not a number)
   */
  public static CsvSamples open(Path file, String labelColumn, Boolean header, Scaling scaling) {
    if (!Files.isRegularFile(file)) {
      throw new TrtfleetException("CSV file " + file + " does not exist");
    }
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(file, in, labelColumn, header, scaling.divisorFor(false));
    } catch (IOException e) {
      throw new TrtfleetException("cannot read CSV file " + file + ": " + e.getMessage(), e);
    }
  }

  private static CsvSamples read(Path file, BufferedReader in, String labelColumn, Boolean header, float divisor)
      throws IOException {
    List<float[]> rows = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    String[] names = null;
    int labelIndex = -2;  // -2: not decided yet, -1: no label column
    int columns = -1;
    int lineNumber = 0;
    String line;
    while ((line = in.readLine()) != null) {
      lineNumber++;
      if (lineNumber == 1 && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      if (line.isBlank()) {
        continue;
      }
      String[] fields = split(line);
      if (columns < 0) {
        columns = fields.length;
        boolean isHeader = header != null ? header : Arrays.stream(fields).anyMatch(f -> !isNumber(f));
        if (isHeader) {
          names = fields;
        }
        labelIndex = labelIndex(file, names, columns, labelColumn);
        if (isHeader) {
          continue;
        }
      }
      if (fields.length != columns) {
        throw new TrtfleetException("CSV file " + file + " line " + lineNumber + " has " + fields.length
            + " fields, the first row has " + columns + ": every sample needs the same columns");
      }
      float[] values = new float[columns - (labelIndex >= 0 ? 1 : 0)];
      int k = 0;
      for (int c = 0; c < columns; c++) {
        if (c == labelIndex) {
          labels.add(parseLabel(file, lineNumber, fields[c]));
          continue;
        }
        try {
          values[k++] = Float.parseFloat(fields[c]);
        } catch (NumberFormatException e) {
          throw new TrtfleetException("CSV file " + file + " line " + lineNumber + " column "
              + (names == null ? String.valueOf(c) : "'" + names[c] + "'") + ": '" + fields[c]
              + "' is not a number" + (rows.isEmpty() && Boolean.FALSE.equals(header)
              ? " (is the first row a header? pass --csv-header yes)" : ""));
        }
      }
      rows.add(values);
    }
    if (columns < 0) {
      throw new TrtfleetException("CSV file " + file + " is empty: one sample per row expected");
    }
    int features = columns - (labelIndex >= 0 ? 1 : 0);
    if (features == 0) {
      throw new TrtfleetException("CSV file " + file + " has no feature columns besides the label");
    }
    int[] labelArray = labelIndex >= 0 ? labels.stream().mapToInt(Integer::intValue).toArray() : null;
    return new CsvSamples(file.toString(), rows, labelArray, features, divisor);
  }

  private static int labelIndex(Path file, String[] names, int columns, String labelColumn) {
    if (labelColumn == null) {
      return names == null ? -1 : Arrays.asList(names).indexOf(DEFAULT_LABEL);
    }
    if (names != null) {
      int i = Arrays.asList(names).indexOf(labelColumn);
      if (i >= 0) {
        return i;
      }
    }
    try {
      int i = Integer.parseInt(labelColumn);
      if (i >= 0 && i < columns) {
        return i;
      }
    } catch (NumberFormatException notAnIndex) {
      // reported below
    }
    throw new TrtfleetException("CSV file " + file + " has no label column '" + labelColumn + "' ("
        + (names == null ? "no header, " + columns + " columns: give a 0-based index"
            : "columns: " + String.join(", ", names)) + ")");
  }

  private static int parseLabel(Path file, int lineNumber, String s) {
    try {
      double d = Double.parseDouble(s);
      if (d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE) {
        return (int) d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new TrtfleetException("CSV file " + file + " line " + lineNumber + ": label '" + s
        + "' is not an integer class id");
  }

  private static String[] split(String line) {
    String[] fields = line.split(",", -1);
    for (int i = 0; i < fields.length; i++) {
      String f = fields[i].strip();
      if (f.length() >= 2 && (f.startsWith("\"") && f.endsWith("\"") || f.startsWith("'") && f.endsWith("'"))) {
        f = f.substring(1, f.length() - 1).strip();
      }
      fields[i] = f;
    }
    return fields;
  }

  private static boolean isNumber(String s) {
    try {
      Double.parseDouble(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public int size() {
    return rows.size();
  }

  @Override
  public long[] sampleShape() {
    return new long[] {features};
  }

  @Override
  public int sampleSize() {
    return features;
  }

  @Override
  public void copySample(int index, float[] out) {
    float[] row = rows.get(index);
    for (int k = 0; k < features; k++) {
      out[k] = row[k] / divisor;
    }
  }

  @Override
  public boolean hasLabels() {
    return labels != null;
  }

  @Override
  public int label(int index) {
    return labels[index];
  }
}
