package io.trtfleet.tensorrt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * An engine on disk: {@code <segment>.plan} (the serialized engine, loadable by TensorRT alone) and
 * {@code <segment>.json} (its {@link EngineMetadata}: device, TensorRT version, precision, profiles,
 * bindings, sizes, build time). Each file is written to a temporary name and moved into place, so a
 * crash never leaves a truncated plan under the final name.
 */
public final class EngineFiles {

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final String PLAN = ".plan";
  private static final String METADATA = ".json";

  private EngineFiles() {}

  /** Writes the plan and its metadata into {@code dir}; returns both paths. */
  public static List<Path> write(Path dir, EngineArtifact engine) {
    String base = engine.metadata().segment();
    try {
      Files.createDirectories(dir);
      Path plan = dir.resolve(base + PLAN);
      Path meta = dir.resolve(base + METADATA);
      atomicWrite(plan, engine.plan());
      atomicWrite(meta, JSON.writeValueAsBytes(engine.metadata()));
      return List.of(plan, meta);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write engine " + base + " to " + dir, e);
    }
  }

  /** The optimization profiles a plan was built with, from the metadata {@link #write} put beside it. */
  public static Optional<JsonNode> profiles(Path plan) {
    String name = plan.getFileName().toString();
    if (!name.endsWith(PLAN)) {
      return Optional.empty();
    }
    Path meta = plan.resolveSibling(name.substring(0, name.length() - PLAN.length()) + METADATA);
    if (!Files.isRegularFile(meta)) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(JSON.readTree(meta.toFile()).get("profiles"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the engine metadata " + meta, e);
    }
  }

  private static void atomicWrite(Path file, byte[] bytes) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, bytes);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
