package io.trtfleet.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@code build-report.json}: the outcomes of a build, per precision and segment, for people and tools. */
public final class BuildReport {

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private BuildReport() {}

  /** The report as JSON: {@code context} first (model, device...), then {@code builds}. */
  public static ObjectNode json(Map<String, ?> context, List<BuildOutcome> outcomes) {
    ObjectNode root = JSON.createObjectNode();
    context.forEach((k, v) -> root.set(k, JSON.valueToTree(v)));
    root.set("builds", JSON.valueToTree(outcomes));
    return root;
  }

  public static Path write(Path file, Map<String, ?> context, List<BuildOutcome> outcomes) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, JSON.writeValueAsBytes(json(context, outcomes)));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the build report " + file, e);
    }
  }
}
