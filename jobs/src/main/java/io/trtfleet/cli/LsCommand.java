package io.trtfleet.cli;

import io.trtfleet.TrtfleetException;
import io.trtfleet.store.ArtifactStore;
import io.trtfleet.store.IndexEntry;
import io.trtfleet.store.Listing;
import io.trtfleet.store.Verification;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trtfleet ls}: the newest build per (model, device, backend, precision) in the artifact store,
 * read from the manifests. Exit 0, or 1 when a manifest is damaged or (with --verify) a build's files do
 * not match it; 2 when the store does not exist or is not a trtfleet store.
 */
@Command(name = "ls", mixinStandardHelpOptions = true,
    description = "List published builds: the newest good one per model, device, backend and precision. Exit 1 if"
        + " a build is damaged.")
public final class LsCommand implements Callable<Integer> {

  public static final int EXIT_DAMAGED = 1;
  static final String FORMAT = "%-20s %-24s %-20s %-9s %-7s %-17s %-12s%s%n";

  @Mixin
  StoreOptions store;

  @Option(names = "--model", paramLabel = "NAME", description = "only this model")
  String model;

  @Option(names = "--rescan", description = "read every manifest and rewrite the index from them (listings already"
      + " check the index against the manifests; this repairs the index itself)")
  boolean rescan;

  @Option(names = "--verify", description = "check every listed build's files (size and sha256) against its manifest")
  boolean verify;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    ArtifactStore s = store.open();
    PrintWriter out = spec.commandLine().getOut();
    switch (s.state()) {
      case MISSING -> throw new TrtfleetException("artifact store " + s.uri() + " does not exist (nothing was"
          + " published there): check --store (file:///absolute/path, s3a://bucket/prefix, hdfs://namenode/path)");
      case NOT_A_STORE -> throw new TrtfleetException(s.uri() + " is not a trtfleet artifact store (it holds other"
          + " files and no " + "_trtfleet_store.json): check --store");
      case EMPTY -> {
        out.println("artifact store " + s.uri() + " is empty: nothing published yet");
        out.flush();
        return 0;
      }
      case STORE -> { }
    }
    Optional<String> only = Optional.ofNullable(model);
    Listing listing = rescan ? s.rebuildIndex(only) : s.list(only);
    int damaged = listing.damaged().size();
    out.printf(FORMAT, "MODEL", "DEVICE", "BACKEND", "PRECISION", "STATUS", "DATE", "DIGEST", verify ? " FILES" : "");
    for (IndexEntry e : listing.entries()) {
      String files = "";
      if (verify) {
        Verification v = s.verify(e.key());
        files = " " + v.describe();
        damaged += v.ok() ? 0 : 1;
      }
      out.printf(FORMAT, e.model(), e.deviceKey(), e.backend(), e.precision(), e.status(), date(e.created()),
          e.shortDigest(), files);
    }
    for (Listing.Damaged d : listing.damaged()) {
      out.printf("damaged: %s: %s%n", d.manifest(), d.problem());
    }
    if (listing.entries().isEmpty() && listing.damaged().isEmpty()) {
      out.println(model == null ? "no builds in " + s.uri() : "no builds of " + model + " in " + s.uri());
    }
    out.flush();
    if (damaged > 0) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("error: " + damaged + " damaged build(s) in " + s.uri() + ": publish them again (the next nightly"
          + " rebuilds them); never serve them");
      err.flush();
      return EXIT_DAMAGED;
    }
    return 0;
  }

  /** 2026-11-22T09:04:45.03Z -> 2026-11-22 09:04Z (UTC). */
  static String date(String iso) {
    return iso.length() >= 16 ? iso.substring(0, 10) + " " + iso.substring(11, 16) + "Z" : iso;
  }
}
