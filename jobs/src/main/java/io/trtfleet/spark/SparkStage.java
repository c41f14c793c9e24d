package io.trtfleet.spark;

import io.trtfleet.Progress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * One stage of a trtfleet Spark run as people see it: its jobs carry the stage's group and description
 * in the Spark UI and event log, and tasks count their units into {@link #counter()}, which the driver
 * reads every second into a {@link Progress} line (Spark reports a task's counts when the task ends, so
 * the lines move as tasks finish). {@link #done} prints the stage's last line; closing it stops the
 * polling and clears the group, also when the stage failed.
 */
final class SparkStage implements AutoCloseable {

  private final JavaSparkContext sc;
  private final LongAccumulator counter;
  private final Progress progress;
  private final ScheduledExecutorService poller;

  private SparkStage(JavaSparkContext sc, String group, String description, Progress progress) {
    this.sc = sc;
    this.progress = progress;
    this.counter = sc.sc().longAccumulator(description);
    sc.setJobGroup(group, description, false);
    this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "trtfleet-progress");
      t.setDaemon(true);
      return t;
    });
    poller.scheduleAtFixedRate(() -> progress.set(counter.value()), 1, 1, TimeUnit.SECONDS);
  }

  /**
   * @param job the command, e.g. {@code calibrate} (the job group is {@code trtfleet <job>: <stage>})
   * @param stage e.g. {@code histograms}
   * @param detail what the stage works on, for the Spark UI
   * @param total units expected (0 when unknown)
   */
  static SparkStage start(JavaSparkContext sc, String job, String stage, String detail, String unit, long total) {
    String name = "trtfleet " + job + ": " + stage;
    return new SparkStage(sc, name, name + " (" + detail + ")", Progress.start(job + " " + stage, unit, total));
  }

  /** What tasks add their units to (merged on the driver as each task ends). */
  LongAccumulator counter() {
    return counter;
  }

  /** The stage succeeded: its last line, with the final count. */
  void done() {
    poller.shutdownNow();
    progress.set(counter.value());
    progress.finish();
  }

  @Override
  public void close() {
    poller.shutdownNow();
    sc.clearJobGroup();
  }
}
