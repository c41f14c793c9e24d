package io.trtfleet.pipeline;

import io.trtfleet.artifact.SourceModel;
import io.trtfleet.graph.FrozenGraph;

/**
 * The model a build works on: its name (plans, Triton entries, store keys), what the converted
 * SavedModel keeps of the source, and the frozen graph of the chosen signature.
 */
public record ModelUnderBuild(String name, SourceModel source, FrozenGraph graph) {

  public ModelUnderBuild {
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
      throw new IllegalArgumentException("model name '" + name + "' is not usable as a file name: use letters,"
          + " digits, '_', '-', '.'");
    }
  }
}
