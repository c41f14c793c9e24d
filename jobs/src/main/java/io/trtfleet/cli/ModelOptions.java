package io.trtfleet.cli;

import io.trtfleet.artifact.SourceModel;
import io.trtfleet.importer.ImportOptions;
import io.trtfleet.importer.SavedModelImporter;
import io.trtfleet.importer.SavedModelReader;
import io.trtfleet.pipeline.ModelUnderBuild;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every command that reads a SavedModel shares. */
public final class ModelOptions {

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "SavedModel directory")
  Path model;

  @Option(names = "--tags", defaultValue = ImportOptions.SERVE_TAG, paramLabel = "TAGS",
      description = "MetaGraph tag set, comma-separated; \"\" for a MetaGraph without tags (default: ${DEFAULT-VALUE},"
          + " or the model's only tag set)")
  String tags;

  @Option(names = "--signature", defaultValue = ImportOptions.DEFAULT_SIGNATURE, paramLabel = "KEY",
      description = "signature to import (default: ${DEFAULT-VALUE}, or the model's only signature)")
  String signature;

  private ImportOptions resolved;

  /** Imports the model: the frozen graph of the signature and what the converted SavedModel keeps of it. */
  public ModelUnderBuild load() {
    ImportOptions options = importOptions();
    return new ModelUnderBuild(modelName(), SourceModel.read(options),
        SavedModelImporter.importModel(options).graph());
  }

  /** The options as given, with the defaults resolved against the model (its only tag set or signature). */
  public ImportOptions importOptions() {
    if (resolved == null) {
      resolved = SavedModelReader.resolveDefaults(requested());
    }
    return resolved;
  }

  ImportOptions requested() {
    return ImportOptions.builder(model).tags(tags).signature(signature).build();
  }

  /**
   * The model's name for plans and Triton entries: the SavedModel's folder, or its parent when the
   * folder is a version number or {@code saved_model}.
   */
  public String modelName() {
    Path dir = model.toAbsolutePath().normalize();
    String name = dir.getFileName().toString();
    if ((name.matches("\\d+") || name.equals("saved_model")) && dir.getParent() != null) {
      name = dir.getParent().getFileName().toString();
    }
    return name.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
