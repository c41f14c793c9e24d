package io.trtfleet.cli;

import io.trtfleet.TrtfleetException;
import io.trtfleet.store.ArtifactStore;
import io.trtfleet.store.IndexEntry;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trtfleet ls}: the newest build per (model, device, TensorRT, precision) in the artifact store. */
@Command(name = "ls", mixinStandardHelpOptions = true,
    description = "List published builds: the newest good one per model, device, TensorRT version and precision.")
public final class LsCommand implements Callable<Integer> {

  static final String FORMAT = "%-20s %-24s %-9s %-9s %-7s %-17s %s%n";

  @Mixin
  StoreOptions store;

  @Option(names = "--model", paramLabel = "NAME", description = "only this model")
  String model;

  @Option(names = "--rescan", description = "rebuild the index from the manifests first (after a crashed publish)")
  boolean rescan;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    ArtifactStore s = ArtifactStore.open(store.store, store.hadoopConf());
    if (rescan) {
      for (String m : model == null ? s.list(Optional.empty()).stream().map(IndexEntry::model).distinct().toList()
          : List.of(model)) {
        s.rebuildIndex(m);
      }
    }
    List<IndexEntry> entries = s.list(Optional.ofNullable(model));
    if (entries.isEmpty() && !s.exists()) {
      throw new TrtfleetException("artifact store " + s.uri() + " does not exist (nothing was published there):"
          + " check --store (file:///absolute/path, s3a://bucket/prefix, hdfs://namenode/path)");
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(FORMAT, "MODEL", "DEVICE", "BACKEND", "PRECISION", "STATUS", "DATE", "DIGEST");
    for (IndexEntry e : entries) {
      out.printf(FORMAT, e.model(), e.deviceKey(), e.backend(), e.precision(), e.status(), date(e.created()),
          e.shortDigest());
    }
    out.flush();
    return 0;
  }

  /** 2026-11-22T09:04:45.03Z -> 2026-11-22 09:04Z (UTC). */
  static String date(String iso) {
    return iso.length() >= 16 ? iso.substring(0, 10) + " " + iso.substring(11, 16) + "Z" : iso;
  }
}
