package io.trtfleet.zoo;

import io.trtfleet.TrtfleetException;
import io.trtfleet.graph.FrozenGraph;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.importer.SavedModelReader;
import io.trtfleet.segment.Segmenter;
import io.trtfleet.segment.SegmenterOptions;
import io.trtfleet.segment.ShapeMode;
import io.trtfleet.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import java.util.stream.Collectors;

/**
 * Benchmark main behind docs/benchmarks/model-zoo.md: for every zoo model, nodes, % of nodes converted
 * with static, dynamic-batch (the default) and dynamic shapes, the default's segments, each segment's
 * max |error| against TensorFlow on random inputs (verify --data random:1), and the time; then the totals
 * next to the state before issue 19. Prints a Markdown table.
 *
 * <pre>scripts/bench core io.trtfleet.zoo.ZooReport [samples=20] [batch=10]</pre>
 */
public final class ZooReport {

  /** Before issue 19 (the issue's own count, verify with its defaults). */
  private static final int BEFORE_IMPORT = 13;
  private static final int BEFORE_ENGINES = 7;
  private static final int BEFORE_VERIFY = 3;

  private ZooReport() {}

  public static void main(String[] args) throws IOException {
    int samples = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    List<String> rows = new ArrayList<>();
    int imported = 0;
    int engines = 0;
    int verified = 0;
    int withSegment = 0;
    int withSegmentDynamic = 0;
    int withSegmentAnySize = 0;
    for (Path model : Fixtures.zooModels()) {
      ZooRun run = ZooRun.of(model, ShapeMode.DEFAULT, samples, batch);
      ZooRun dynamic = ZooRun.of(model, ShapeMode.DYNAMIC, samples, batch);
      ZooRun anySize = run.hasVerifiedSegment() ? run : ZooRun.of(model, ZooTest.EVERY_SEGMENT, samples, batch);
      double staticShare = convertedShare(model, ShapeMode.STATIC);
      imported += run.nodes() > 0 ? 1 : 0;
      engines += run.segments().size() > run.fallbacks().size() ? 1 : 0;
      verified += run.verified() ? 1 : 0;
      withSegment += run.hasVerifiedSegment() ? 1 : 0;
      withSegmentDynamic += run.hasVerifiedSegment() || dynamic.hasVerifiedSegment() ? 1 : 0;
      withSegmentAnySize += anySize.hasVerifiedSegment() ? 1 : 0;
      rows.add(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %d | %s | %s | %.1f |", run.model(),
          kind(model), run.nodes() == 0 ? "-" : run.nodes(), percent(staticShare, run.nodes()),
          percent(run.convertedShare(), run.nodes()), percent(dynamic.convertedShare(), dynamic.nodes()),
          run.segments().size(), errors(run), result(run, anySize), run.millis() / 1000.0));
      System.err.println(line(run));
    }
    int n = rows.size();
    System.out.println("| model | kind | nodes | % converted static | dynamic-batch (default) | dynamic | segments"
        + " | verify: max abs error per segment | result | time s |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|");
    rows.forEach(System.out::println);
    System.out.println();
    System.out.println("| total (of " + n + ") | before issue 19 | now |");
    System.out.println("|---|---|---|");
    System.out.printf(Locale.ROOT, "| import | %d | %d |%n", BEFORE_IMPORT, imported);
    System.out.printf(Locale.ROOT, "| at least one TensorRT segment converted to ONNX | %d | %d |%n", BEFORE_ENGINES,
        engines);
    System.out.printf(Locale.ROOT, "| verify (every converted segment within 1e-4, or no segment) | %d | %d (%.0f%%) |%n",
        BEFORE_VERIFY, verified, 100.0 * verified / n);
    System.out.printf(Locale.ROOT, "| a verified TensorRT segment, default shapes | - | %d (%.0f%%) |%n", withSegment,
        100.0 * withSegment / n);
    System.out.printf(Locale.ROOT, "| a verified TensorRT segment, default or dynamic shapes | - | %d (%.0f%%) |%n",
        withSegmentDynamic, 100.0 * withSegmentDynamic / n);
    System.out.printf(Locale.ROOT, "| a verified TensorRT segment, defaults or (where they give none)"
        + " --minimum-segment-size 1 --shapes dynamic | - | %d (%.0f%%) |%n", withSegmentAnySize,
        100.0 * withSegmentAnySize / n);
  }

  /** One line per model, what ZooTest prints too. */
  static String line(ZooRun run) {
    return String.format(Locale.ROOT, "%s [%s, minimum segment %d]: %d nodes, %.0f%% converted, %d segment(s), %s%s"
        + " (%d ms)", run.model(), run.options().shapes().cliName(), run.options().minimumSegmentSize(), run.nodes(), 100 * run.convertedShare(), run.segments().size(), errors(run),
        run.failure() == null ? "" : "; stops: " + run.failure(), run.millis());
  }

  private static double convertedShare(Path model, ShapeMode shapes) {
    try {
      FrozenGraph g = SavedModelImporter.importModel(SavedModelReader.resolveDefaults(
          ImportOptions.of(model.resolve("saved_model")))).graph();
      var s = new Segmenter(SegmenterOptions.builder().shapes(shapes).build()).segment(g);
      return (double) s.convertedNodes() / s.totalNodes();
    } catch (TrtfleetException e) {
      return Double.NaN;
    }
  }

  private static String percent(double share, int nodes) {
    return nodes == 0 || Double.isNaN(share) ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * share);
  }

  private static String errors(ZooRun run) {
    if (run.segments().isEmpty()) {
      return "no segment";
    }
    return run.segments().stream().map(s -> {
      double[] e = run.errors().get(s);
      return e != null ? String.format(Locale.ROOT, "%.1e", e[0])
          : run.fallbacks().containsKey(s) ? "stays in TF" : "not verified";
    }).collect(Collectors.joining(", "));
  }

  private static String result(ZooRun run, ZooRun anySize) {
    if (run.verified()) {
      return run.segments().isEmpty() && anySize.hasVerifiedSegment() ? "verifies; --minimum-segment-size 1"
          + " --shapes dynamic: " + errors(anySize) : "verifies";
    }
    return "stops: " + (run.failure() == null ? "error above 1e-4" : run.failure()).replace("|", "\\|");
  }

  private static String kind(Path model) {
    try {
      return Files.readAllLines(model.resolve("SOURCE.txt")).stream().filter(l -> l.startsWith("kind:"))
          .map(l -> l.substring(5).trim().replace("|", "/")).findFirst().orElse("");
    } catch (IOException e) {
      return "";
    }
  }

}
