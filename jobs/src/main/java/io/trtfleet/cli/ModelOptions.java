package io.trtfleet.cli;

import io.trtfleet.importer.ImportOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every command that reads a SavedModel shares. */
public final class ModelOptions {

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "SavedModel directory")
  Path model;

  @Option(names = "--tags", defaultValue = ImportOptions.SERVE_TAG, paramLabel = "TAGS",
      description = "MetaGraph tag set, comma-separated (default: ${DEFAULT-VALUE})")
  String tags;

  @Option(names = "--signature", defaultValue = ImportOptions.DEFAULT_SIGNATURE, paramLabel = "KEY",
      description = "signature to import (default: ${DEFAULT-VALUE})")
  String signature;

  public ImportOptions importOptions() {
    return ImportOptions.builder(model).tags(tags).signature(signature).build();
  }
}
