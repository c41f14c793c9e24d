package io.trtfleet.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.trtfleet.TrtfleetException;
import io.trtfleet.segment.SegmentedGraph;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.tensorflow.proto.FunctionDefLibrary;

/**
 * Writes a segmentation and its reports under an output directory:
 * {@code report/summary.txt}, {@code report/nonconverted.csv}, {@code report/report.json},
 * {@code report/graph.dot}, and {@code segments/native_segments.pb} (a FunctionDefLibrary with every
 * {@code <engine>_native_segment}, binary) plus {@code segments/native_segments.pbtxt} (the same as text).
 */
public final class ReportWriter {

  public static final String REPORT_DIR = "report";
  public static final String SEGMENTS_DIR = "segments";

  private ReportWriter() {}

  /** Writes everything and returns the files written, in a fixed order. */
  public static List<Path> write(ConversionReport report, SegmentedGraph segmented, Path out) {
    Path reports = out.resolve(REPORT_DIR);
    Path segments = out.resolve(SEGMENTS_DIR);
    try {
      Files.createDirectories(reports);
      Files.createDirectories(segments);
      Path summary = text(reports.resolve("summary.txt"), SummaryReport.text(report));
      Path csv = text(reports.resolve("nonconverted.csv"), NonConversionReport.csv(report));
      Path json = text(reports.resolve("report.json"), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(ReportJson.toMap(report)) + "\n");
      Path dot = text(reports.resolve("graph.dot"), GraphDot.dot(segmented));
      FunctionDefLibrary library = FunctionDefLibrary.newBuilder()
          .addAllFunction(segmented.nativeSegments().values()).build();
      Path pb = segments.resolve("native_segments.pb");
      Files.write(pb, library.toByteArray());
      Path pbtxt = text(segments.resolve("native_segments.pbtxt"), library.toString());
      return List.of(summary, csv, json, dot, pb, pbtxt);
    } catch (IOException e) {
      throw new TrtfleetException("Cannot write the conversion reports to " + out + ": " + e.getMessage()
          + "; check that the directory is writable", e);
    }
  }

  private static Path text(Path file, String content) throws IOException {
    return Files.writeString(file, content, StandardCharsets.UTF_8);
  }
}
