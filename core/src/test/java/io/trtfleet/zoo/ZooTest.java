package io.trtfleet.zoo;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trtfleet.segment.SegmenterOptions;
import io.trtfleet.segment.ShapeMode;
import io.trtfleet.testing.Fixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every public SavedModel of {@code shared/fixtures/zoo} (written by TensorFlow, byte for byte from its
 * source; see each SOURCE.txt) either verifies segment by segment, as {@code trtfleet verify --data random:1}
 * with default options does, or stops at one clear line naming the op or input that stops it; never a
 * stack trace. Then the targets over the whole zoo: at least 80% verify, and at least 65% have a
 * verified TensorRT segment: with the defaults, or, for a model the defaults leave without one because its
 * convertible part is smaller than TF-TRT's minimum_segment_size 3 or needs dynamic shapes, with
 * {@code --minimum-segment-size 1 --shapes dynamic} (what TensorRT can run at all).
 */
class ZooTest {

  private static final int SAMPLES = 8;
  private static final int BATCH = 4;
  private static final Map<String, ZooRun> RUNS = new ConcurrentHashMap<>();
  private static final Map<String, ZooRun> ANY_SIZE = new ConcurrentHashMap<>();
  static final SegmenterOptions EVERY_SEGMENT = SegmenterOptions.builder().minimumSegmentSize(1)
      .shapes(ShapeMode.DYNAMIC).build();

  static Stream<Path> models() {
    return Fixtures.zooModels().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void verifiesOrStopsAtOneClearLine(Path model) {
    ZooRun run = ZooRun.of(model, ShapeMode.DEFAULT, SAMPLES, BATCH);
    RUNS.put(run.model(), run);
    System.out.println(ZooReport.line(run));
    if (run.failure() != null) {
      assertFalse(run.failure().isBlank(), run.model());
      assertFalse(run.failure().contains("\n"), () -> run.model() + ": not one line: " + run.failure());
      assertFalse(run.failure().contains("\tat "), () -> run.model() + ": a stack trace: " + run.failure());
    } else {
      for (Map.Entry<String, double[]> e : run.errors().entrySet()) {
        assertTrue(e.getValue()[1] <= ZooRun.MAX_RELATIVE_ERROR,
            () -> run.model() + " " + e.getKey() + ": relative RMS error " + e.getValue()[1]);
      }
      assertTrue(run.samples() > 0, run.model());
    }
    if (!run.hasVerifiedSegment() && run.failure() == null) {
      ZooRun any = ZooRun.of(model, EVERY_SEGMENT, SAMPLES, BATCH);
      ANY_SIZE.put(any.model(), any);
      System.out.println(ZooReport.line(any));
      assertTrue(any.failure() == null || !any.failure().contains("\n"), any::toString);
    }
  }

  @AfterAll
  static void zooTargets() {
    if (RUNS.size() < Fixtures.zooModels().size()) {
      return; // a single model was run on its own
    }
    List<ZooRun> runs = List.copyOf(RUNS.values());
    long verified = runs.stream().filter(ZooRun::verified).count();
    long withSegment = runs.stream().filter(ZooRun::hasVerifiedSegment).count();
    long withAnySegment = runs.stream().filter(r -> r.hasVerifiedSegment()
        || ANY_SIZE.containsKey(r.model()) && ANY_SIZE.get(r.model()).hasVerifiedSegment()).count();
    System.out.printf("zoo: %d models, %d verify, %d with a verified TensorRT segment (defaults), %d with"
        + " --minimum-segment-size 1 --shapes dynamic where the defaults give none%n", runs.size(), verified,
        withSegment, withAnySegment);
    assertTrue(verified >= Math.ceil(0.80 * runs.size()), "verified: " + verified + " of " + runs.size());
    assertTrue(withAnySegment >= Math.ceil(0.65 * runs.size()), "with a verified segment: " + withAnySegment);
  }
}
