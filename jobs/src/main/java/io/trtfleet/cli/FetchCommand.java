package io.trtfleet.cli;

import io.trtfleet.TrtfleetException;
import io.trtfleet.store.ArtifactStore;
import io.trtfleet.store.IndexEntry;
import io.trtfleet.store.Manifest;
import io.trtfleet.store.TargetKey;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trtfleet fetch}: download one build for a consumer, every file checked against the manifest
 * while copying. Without --model-digest it takes the build {@code trtfleet ls} lists for the slot.
 */
@Command(name = "fetch", mixinStandardHelpOptions = true,
    description = "Download a published build into a new folder, checking every file's size and sha256 against its"
        + " manifest; a damaged build is refused and nothing is written.")
public final class FetchCommand implements Callable<Integer> {

  @Mixin
  StoreOptions store;

  @Option(names = "--model-name", required = true, paramLabel = "NAME", description = "model name in the store")
  String modelName;

  @Option(names = "--model-digest", paramLabel = "HEX",
      description = "the model digest, or its first 8+ hex digits as ls prints them (default: the build ls lists)")
  String digest;

  @Option(names = "--device-key", required = true, paramLabel = "KEY", description = "e.g. h100-80gb-hbm3.sm90")
  String deviceKey;

  @Option(names = "--backend", required = true, paramLabel = "B", description = "e.g. trt-10.6.0, onnxruntime-1.23.2")
  String backend;

  @Option(names = "--precision", required = true, paramLabel = "P", description = "e.g. fp16, int8")
  String precision;

  @Option(names = "--to", required = true, paramLabel = "DIR", description = "a new (or empty) local folder")
  Path to;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    ArtifactStore s = store.open();
    TargetKey key = key(s);
    Manifest m = s.download(key, to);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("fetched %s (%d files, all verified) to %s%n", key, m.files().size(), to);
    out.flush();
    return 0;
  }

  private TargetKey key(ArtifactStore s) {
    // Validates the parts (and spells backend and precision one way) before looking anything up.
    TargetKey slot = new TargetKey(modelName, "00000000", backend, deviceKey, precision);
    if (digest != null && digest.length() == 64) {
      return new TargetKey(modelName, digest, backend, deviceKey, precision);
    }
    if (digest != null && !digest.matches("[0-9a-f]{8,63}")) {
      throw new TrtfleetException("--model-digest " + digest + " is not 8 to 64 lower-case hex digits (ls prints 12)");
    }
    List<IndexEntry> listed = s.list(Optional.of(modelName)).entries().stream()
        .filter(e -> e.deviceKey().equals(slot.deviceKey()) && e.backend().equals(slot.backend())
            && e.precision().equals(slot.precision()))
        .filter(e -> digest == null || e.modelDigest().startsWith(digest)).toList();
    if (listed.isEmpty()) {
      throw new TrtfleetException("no build of " + modelName + " for " + slot.deviceKey() + " " + slot.backend() + " "
          + slot.precision() + (digest == null ? "" : " with digest " + digest) + " in " + s.uri()
          + ": trtfleet ls --store " + s.uri() + " --model " + modelName + " lists what is there");
    }
    return listed.get(0).key();
  }
}
