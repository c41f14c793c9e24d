package io.trtfleet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trtfleet.Messages;
import io.trtfleet.TrtfleetException;
import io.trtfleet.importer.SavedModelReader;
import io.trtfleet.store.ArtifactStore;
import io.trtfleet.store.ContentDigest;
import io.trtfleet.store.Manifest;
import io.trtfleet.store.Publication;
import io.trtfleet.store.TargetKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trtfleet publish}: upload a build's output directory to the artifact store, atomically. */
@Command(name = "publish", mixinStandardHelpOptions = true,
    description = "Publish a build directory (engines/, saved_model/, calibration/, report/) to the artifact store.")
public final class PublishCommand implements Callable<Integer> {

  @Mixin
  StoreOptions store;

  @Option(names = "--model-name", required = true, paramLabel = "NAME", description = "model name in the store")
  String modelName;

  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "the source SavedModel directory (its content digest keys the build)")
  Path model;

  @Option(names = "--device-key", required = true, paramLabel = "KEY", description = "e.g. h100-80gb-hbm3.sm90")
  String deviceKey;

  @Option(names = {"--backend", "--trt-version"}, required = true, paramLabel = "B",
      description = "what built it: trt-10.6.0 (or the TensorRT version alone, 10.6.0) or onnxruntime-1.23.2")
  String backend;

  @Option(names = "--precision", required = true, paramLabel = "P", description = "e.g. fp32, fp16, int8")
  String precision;

  @Option(names = "--from", required = true, paramLabel = "DIR", description = "the build's output directory")
  Path from;

  @Option(names = "--status", defaultValue = Manifest.OK, paramLabel = "STATUS",
      description = "build status recorded in the manifest (default: ${DEFAULT-VALUE}); the index prefers '"
          + Manifest.OK + "'")
  String status;

  @Option(names = "--signature", paramLabel = "KEY", description = "serving signature recorded in the manifest")
  String signature;

  @Option(names = "--validation", paramLabel = "FILE", description = "JSON file with validation results for the manifest")
  Path validation;

  @Option(names = "--benchmark", paramLabel = "FILE", description = "JSON file with benchmark results for the manifest")
  Path benchmark;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (!Files.isDirectory(from)) {
      throw new TrtfleetException("--from " + from + " is not a directory: point it at a build's output directory");
    }
    SavedModelReader.read(model); // the build is keyed by this model's digest: refuse one that does not parse
    TargetKey key = new TargetKey(modelName, ContentDigest.ofSavedModel(model), backend, deviceKey, precision);
    Publication pub = Publication.fromDirectory(from).status(status).signature(signature)
        .validation(json("--validation", validation)).benchmark(json("--benchmark", benchmark)).build();
    ArtifactStore s = store.open();
    PrintWriter out = spec.commandLine().getOut();
    // What killed publishers left (staging, locks), once older than the lease: every writer sweeps.
    int cleaned = s.cleanStaleStaging();
    if (cleaned > 0) {
      out.printf("removed %d stale staging folder(s) and lock(s) older than %s%n", cleaned,
          ArtifactStore.STAGING_LEASE_SECONDS);
    }
    Manifest m = s.publish(key, pub);
    out.printf("published %s (%d files, %d engines) as %s%n", key, m.files().size(), m.engines().size(),
        m.publishId());
    out.flush();
    return 0;
  }

  private static JsonNode json(String option, Path file) {
    if (file == null) {
      return null;
    }
    try {
      return new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new TrtfleetException(option + " " + file + " is not readable JSON (" + Messages.firstLine(e.getMessage())
          + ")", e);
    }
  }
}
