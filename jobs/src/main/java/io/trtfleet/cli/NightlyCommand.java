package io.trtfleet.cli;

import io.trtfleet.TrtfleetException;
import io.trtfleet.fleet.DirectoryStore;
import io.trtfleet.fleet.FleetConfig;
import io.trtfleet.fleet.ModelRegistry;
import io.trtfleet.fleet.NightlyJob;
import io.trtfleet.fleet.NightlyOptions;
import io.trtfleet.fleet.RunReport;
import io.trtfleet.fleet.TargetResult;
import io.trtfleet.spark.Sparks;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trtfleet nightly}: plan, recalibrate what changed, build, publish, report. Exit 1 if a target
 * failed, 3 if none failed but some were not built (their pool had no executor here: GPU pools in a
 * CPU-only run), else 0.
 */
@Command(name = "nightly", mixinStandardHelpOptions = true,
    description = "Build every (model, pool, precision) target that is not yet published, on Spark; write the"
        + " run report to <store>/runs/<run id>/report.{json,html}. Exit 1 when a target failed, 3 when targets"
        + " wait for a GPU of their pool.")
public final class NightlyCommand implements Callable<Integer> {

  public static final int EXIT_TARGETS_FAILED = 1;
  public static final int EXIT_TARGETS_NOT_BUILT = 3;

  @Option(names = "--fleet", required = true, paramLabel = "FILE", description = "GPU pools (conf/fleet.yaml)")
  Path fleet;

  @Option(names = "--models", required = true, paramLabel = "FILE", description = "model registry (conf/models.yaml)")
  Path models;

  @Option(names = "--store", required = true, paramLabel = "DIR",
      description = "the fleet's folder (local or shared file system): calibrations and run reports")
  Path store;

  @Option(names = "--publish", paramLabel = "URI",
      description = "artifact store for the engines: file://, s3a://, hdfs://... (default: <store>/artifacts)")
  java.net.URI publish;

  @Option(names = "--run-id", paramLabel = "ID", description = "run id (default: UTC time, yyyyMMdd-HHmmss)")
  String runId;

  @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: spark-submit's, else local[*])")
  String master;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    NightlyOptions o = new NightlyOptions(fleet, models, store,
        publish != null ? publish : store.toAbsolutePath().resolve("artifacts").toUri(),
        runId == null ? NightlyOptions.newRunId() : runId);
    // Bad configuration or a used run id fails here, in one line, before a Spark session is started.
    ModelRegistry.load(models, FleetConfig.load(fleet));
    if (java.nio.file.Files.exists(new DirectoryStore(store).runDir(o.runId()))) {
      throw new TrtfleetException("run id '" + o.runId() + "' was used by an earlier run ("
          + new DirectoryStore(store).runDir(o.runId()) + "): choose another --run-id, or leave it out for a new one");
    }
    SparkSession spark = Sparks.session("trtfleet nightly", master);
    RunReport report = NightlyJob.run(spark, o);
    PrintWriter out = spec.commandLine().getOut();
    report.unplannable().values().forEach(why -> out.println("FAILED " + why));
    report.results().stream().filter(r -> r.status().failed() || r.status() == TargetResult.Status.NOT_BUILT)
        .forEach(r -> out.printf("%s %s %s on %s: %s%n", r.status(), r.model(), r.precision(), r.pool(), r.message()));
    out.println(report.summaryLine());
    out.println("report: " + new DirectoryStore(store).runDir(o.runId()).resolve("report.html"));
    out.flush();
    return report.anyFailed() ? EXIT_TARGETS_FAILED : report.anyNotBuilt() ? EXIT_TARGETS_NOT_BUILT : 0;
  }
}
